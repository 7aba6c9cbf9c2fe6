/**
 * A tls key named like an Object.prototype member is an unknown option, not a crash (found by the property test:
 * `{ tls: { toString: "" } }` threw "rule.safeParse is not a function").
 */
import assert from "node:assert/strict";
import { checkInputs } from "../../../src/provider/check";

describe("provider check: tls keys", () => {
  for (const key of ["toString", "constructor", "hasOwnProperty", "valueOf"]) {
    it(`tls.${key} is reported as not a TLS option`, () => {
      const failures = checkInputs({ endpoint: "https://10.0.0.5:2886", homePath: "/home/admin/obproxy", rsList: "10.0.0.11:2881", tls: { [key]: "" } });
      assert.ok(failures.some((f) => f.property === `tls.${key}` && /not a TLS option/.test(f.reason)), JSON.stringify(failures));
    });
  }
});
