import assert from "node:assert/strict";
import { createObshellClient } from "../../../src/obshell";
import { NetworkError, isRequestTimeoutError } from "../../../src/obshell/errors";
import type { HttpSender } from "../../../src/obshell/transport";
import { fakeClock, type FakeClock } from "../../helpers/fake-clock";
import { json } from "../../helpers/fake-sender";
import { ok } from "../../helpers/raw-agent";

const TIME = ok("2026-05-11T10:00:00.000000000+08:00");

/** A sender that records each attempt's timeout and either answers /time or fails every attempt as reset. */
function sender(clock: FakeClock, o: { fail?: boolean; takesMs?: number } = {}): HttpSender & { timeouts: number[] } {
  const timeouts: number[] = [];
  return {
    timeouts,
    send: async (_req, a) => {
      timeouts.push(a.timeoutMs);
      clock.t += o.takesMs ?? 0;
      if (o.fail) throw new NetworkError("http://127.0.0.1:2886", "reset", "GET /api/v1/time: connection reset");
      return json(200, TIME);
    },
    close: async () => undefined,
  };
}

describe("one deadline caps every request, retry and backoff of a call", () => {
  it("no attempt's timeout reaches past the call's deadline", async () => {
    const clock = fakeClock();
    const s = sender(clock);
    const c = createObshellClient({ endpoint: "http://127.0.0.1:2886", clock, requestTimeoutMs: 30_000 }, { sender: s });
    await c.getTime({ deadline: clock.now() + 500 });
    assert.deepEqual(s.timeouts, [500]);
  });

  it("no retry or backoff starts past the deadline: the read gives up with time to spare instead", async () => {
    const clock = fakeClock();
    const s = sender(clock, { fail: true, takesMs: 100 });
    const c = createObshellClient({ endpoint: "http://127.0.0.1:2886", clock, readRetries: 10, random: () => 0.5 }, { sender: s });
    const deadline = clock.now() + 1_000;
    await assert.rejects(c.getTime({ deadline }), (e: Error) => e.name === "NetworkError");
    assert.ok(clock.now() <= deadline, `ran ${clock.now() - deadline} ms past the deadline`);
    assert.ok(s.timeouts.length < 11, `${s.timeouts.length} attempts`);
  });

  it("an attempt with no time left is not sent: RequestTimeoutError byDeadline naming the request", async () => {
    const clock = fakeClock();
    const s = sender(clock);
    const c = createObshellClient({ endpoint: "http://127.0.0.1:2886", clock, deadline: () => clock.now() - 1 }, { sender: s });
    const err = await c.getTime().catch((e: unknown) => e);
    assert.ok(isRequestTimeoutError(err));
    assert.equal((err as { byDeadline: boolean }).byDeadline, true);
    assert.match((err as Error).message, /GET \/api\/v1\/time: not sent/);
    assert.equal(s.timeouts.length, 0);
  });

  it("the client-wide deadline caps every call, and a call's earlier deadline wins", async () => {
    const clock = fakeClock();
    const s = sender(clock);
    const c = createObshellClient({ endpoint: "http://127.0.0.1:2886", clock, deadline: () => clock.now() + 2_000 }, { sender: s });
    await c.getTime();
    await c.getTime({ deadline: clock.now() + 700 });
    assert.deepEqual(s.timeouts, [2_000, 700]);
  });
});
