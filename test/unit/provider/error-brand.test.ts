/** ObProxyError is recognized by class or by its brand (another copy of the package), never by its name alone. */
import assert from "node:assert/strict";
import { ObProxyError, isObProxyError } from "../../../src/provider/errors";

describe("ObProxyError brand", () => {
  it("recognizes its own class and a branded error of another copy, not a look-alike name", () => {
    assert.ok(isObProxyError(new ObProxyError("DagFailed", "x")));
    assert.ok(isObProxyError(Object.assign(new Error("x"), { name: "ObProxyError", isObProxyError: true })));
    assert.ok(!isObProxyError(Object.assign(new Error("x"), { name: "ObProxyError" })));
    assert.ok(!isObProxyError({ name: "ObProxyError", isObProxyError: true }));
  });

  it("keeps the brand out of the error's own fields (it lives on the prototype)", () => {
    assert.deepEqual(Object.keys(new ObProxyError("DagFailed", "x", { dagId: "4" })), ["name", "code", "dagId"]);
  });
});
