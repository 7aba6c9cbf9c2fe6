/**
 * Fuzzed agent answers against the client over a real loopback socket (test/helpers/raw-agent.ts): random
 * envelopes, DAGs with wrong field types, odd headers and status codes, truncated or binary bodies, lying
 * Content-Length, resets. Every call must either return parsed data or throw a typed ObshellError — never a
 * TypeError, never a hang, never the password in a message.
 */
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import fc from "fast-check";
import { createObshellClient, isObshellError } from "../../../src/obshell";
import { ok, publicRoutes, sendJson, startRawAgent, type RawAgent, type RawRequest } from "../../helpers/raw-agent";

const PASSWORD = "Fuzz-pw-7c1e9a";
const DAG_ID = "42130706433400001";

/** A DAG with each field either right or of a random wrong type. */
const dagLike = fc.record({
  id: fc.oneof(fc.constant(DAG_ID), fc.anything()),
  dag_id: fc.oneof(fc.integer(), fc.anything()),
  name: fc.oneof(fc.constant("Delete obproxy"), fc.anything()),
  state: fc.oneof(fc.constantFrom("READY", "RUNNING", "FAILED", "SUCCEED", "PENDING", "bogus"), fc.anything()),
  operator: fc.oneof(fc.constantFrom("RUN", "RETRY"), fc.anything()),
  stage: fc.oneof(fc.nat(5), fc.anything()),
  max_stage: fc.oneof(fc.nat(5), fc.anything()),
  maintenance_type: fc.oneof(fc.constant(4), fc.anything()),
  start_time: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.anything()),
  end_time: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.anything()),
  nodes: fc.oneof(fc.constant(undefined), fc.array(fc.record({ name: fc.anything(), state: fc.anything(), sub_tasks: fc.anything() }), { maxLength: 3 }), fc.anything()),
}, { requiredKeys: [] });

/** One way of answering. */
const answer = fc.oneof(
  fc.record({ kind: fc.constant("envelope" as const), status: fc.constantFrom(200, 204, 400, 401, 404, 500, 502, 503), body: fc.record({ successful: fc.anything(), status: fc.anything(), timestamp: fc.anything(), duration: fc.anything(), traceId: fc.anything(), data: fc.oneof(dagLike, fc.anything()), error: fc.anything() }, { requiredKeys: [] }) }),
  fc.record({ kind: fc.constant("dag" as const), status: fc.constantFrom(200, 201), dag: dagLike }),
  fc.record({ kind: fc.constant("truncated" as const), status: fc.constant(200), dag: dagLike, cut: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant("lying-length" as const), status: fc.constant(200), extra: fc.integer({ min: 1, max: 10_000 }) }),
  fc.record({ kind: fc.constant("bytes" as const), status: fc.integer({ min: 200, max: 599 }), bytes: fc.uint8Array({ maxLength: 512 }), contentType: fc.constantFrom("application/json", "text/html", "", "application/json; charset=utf-16") }),
  fc.record({ kind: fc.constant("reset" as const) }),
);
type Answer = typeof answer extends fc.Arbitrary<infer T> ? T : never;

function write(res: ServerResponse, a: Answer): void {
  switch (a.kind) {
    case "envelope": return sendJson(res, a.status, a.body);
    case "dag": return sendJson(res, a.status, ok(a.dag, a.status));
    case "truncated": {
      const text = JSON.stringify(ok(a.dag));
      res.writeHead(a.status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
      return void res.write(text.slice(0, Math.floor(text.length * a.cut)), () => res.socket?.destroy());
    }
    case "lying-length": {
      const text = JSON.stringify(ok({ id: DAG_ID }));
      res.writeHead(a.status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) + a.extra });
      return void res.write(text, () => res.socket?.destroy());
    }
    case "bytes": {
      res.writeHead(a.status, a.contentType ? { "Content-Type": a.contentType } : {});
      return void res.end(Buffer.from(a.bytes));
    }
    case "reset": return void res.socket?.resetAndDestroy();
  }
}

type Call = "getInfo" | "getDag" | "deleteObproxy" | "waitForDag" | "findObproxyMaintenanceDag" | "secret";
const CALLS: Call[] = ["getInfo", "getDag", "deleteObproxy", "waitForDag", "findObproxyMaintenanceDag", "secret"];

describe("client: fuzzed agent answers give typed errors only", function () {
  this.timeout(120_000);
  let agent: RawAgent;
  before(async () => {
    agent = await startRawAgent(() => undefined);
  });
  after(() => agent.close());

  it("every call returns data or throws an ObshellError, within its time, without the password", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CALLS), answer, async (call, a) => {
        // The route under test gets the fuzzed answer; the key and clock routes answer normally (unless fuzzed).
        agent.handle((req: RawRequest, res) => {
          const path = req.url.split("?")[0]!;
          const fuzzed = call === "secret" ? path === "/api/v1/secret" : !["/api/v1/secret", "/api/v1/time"].includes(path);
          if (fuzzed) return write(res, a);
          if (!publicRoutes(req, res)) sendJson(res, 404, {});
        });
        const client = createObshellClient({ endpoint: agent.url, agentPassword: PASSWORD, readRetries: 0, requestTimeoutMs: 1_000, taskMinDurationsMs: {} });
        const started = Date.now();
        try {
          if (call === "getInfo") await client.getInfo();
          else if (call === "getDag") await client.getDag(DAG_ID);
          else if (call === "deleteObproxy" || call === "secret") await client.deleteObproxy();
          else if (call === "findObproxyMaintenanceDag") await client.findObproxyMaintenanceDag();
          else await client.waitForDag(DAG_ID, { deadline: Date.now() + 400 });
        } catch (e) {
          assert.ok(isObshellError(e), `${call} / ${a.kind}: untyped ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
          assert.ok(!String((e as Error).message).includes(PASSWORD));
        } finally {
          await client.close();
        }
        assert.ok(Date.now() - started < 5_000, `${call} / ${a.kind} took ${Date.now() - started} ms`);
      }),
      { numRuns: 150 },
    );
  });
});
