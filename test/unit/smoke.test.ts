import assert from "node:assert/strict";
describe("runtime", () => {
  it("runs on Node 24 or newer", () => {
    assert.ok(Number(process.versions.node.split(".")[0]) >= 24, process.versions.node);
  });
});
