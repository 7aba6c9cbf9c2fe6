import assert from "node:assert/strict";
import { dagFailedError, parseErrorLogLine } from "../../../src/obshell/dag-failure";
import { deleteDag, dag, DAG_ID } from "../../helpers/dags";

describe("DAG failure summaries", () => {
  it("parses obshell's final ERROR line", () => {
    assert.deepEqual(parseErrorLogLine("ERROR: [OBProxy.StopTimeout]: Kill OBProxy process timeout"), { errCode: "OBProxy.StopTimeout", errMessage: "Kill OBProxy process timeout" });
    assert.equal(parseErrorLogLine("Obproxy is not running"), undefined);
  });

  it("names the DAG, the failed task, its last logs, errCode and how to retry", () => {
    const logs = Array.from({ length: 8 }, (_, i) => `line ${i}`).concat("ERROR: [OBProxy.StopTimeout]: Kill OBProxy process timeout");
    const e = dagFailedError(deleteDag(2, "FAILED", { logs }));
    assert.equal(e.name, "DagFailedError");
    assert.equal(e.dagId, DAG_ID);
    assert.equal(e.dagName, "Delete obproxy");
    assert.equal(e.failedTask, "Stop obproxy");
    assert.equal(e.failedTaskLogs.length, 5);
    assert.equal(e.failedTaskLogs.at(-1), logs.at(-1));
    assert.equal(e.errCode, "OBProxy.StopTimeout");
    assert.equal(e.errMessage, "Kill OBProxy process timeout");
    assert.match(e.message, /Delete obproxy DAG 4\d+ at task "Stop obproxy" \(stage 2\/4\) failed: \[OBProxy.StopTimeout\]/);
    assert.match(e.hint, /RETRY/);
    assert.match(e.hint, /PASS/);
    assert.match(e.hint, /ROLLBACK is refused/);
    assert.match(e.hint, /lock/);
  });

  it("says when the DAG was cancelled", () => {
    const e = dagFailedError(deleteDag(2, "FAILED", { logs: ["ERROR: [Common.Unexpected]: sub task cancelled"] }, "CANCEL"));
    assert.equal(e.operator, "CANCEL");
    assert.match(e.message, /was cancelled/);
    assert.match(e.hint, /cancelled/);
  });

  it("a failure at the first check says the lock is free", () => {
    const e = dagFailedError(deleteDag(1, "FAILED", { logs: ["ERROR: [OBProxy.NotBeManaged]: This is not an OBProxy agent"] }));
    assert.match(e.hint, /releases obshell's OBProxy lock/);
  });

  it("upgrade DAGs may roll back", () => {
    const d = dag({ name: "Upgrade obproxy", state: "FAILED", stage: 1, nodes: [{ name: "Create upgrade dir", state: "FAILED", logs: null }] });
    const e = dagFailedError(d);
    assert.match(e.hint, /ROLLBACK undoes an upgrade/);
    assert.deepEqual(e.failedTaskLogs, []);
    assert.equal(e.errCode, undefined);
  });
});
