/**
 * No password, key or header value may appear in an error, a log line or a thrown object's fields. Tests register
 * every secret they use (passwords, private keys) and the doubles register every header value and AES key they
 * receive; `rejects` then scans each thrown error (JSON.stringify, util.inspect with hidden fields and causes, the
 * stack), and `testLog` lines are scanned after each test.
 */
import assert from "node:assert/strict";
import { inspect } from "node:util";

const SECRETS = new Set<string>();
const logLines: string[] = [];

/** Registers a secret and returns it. */
export function secret<T extends string>(value: T): T {
  if (value.length >= 6) SECRETS.add(value);
  return value;
}

/** How many secrets are registered (tests check the doubles really register what they receive). */
export function secretCount(): number {
  return SECRETS.size;
}

function texts(value: unknown): string[] {
  const out = [inspect(value, { depth: 20, showHidden: true, getters: true, maxStringLength: Infinity, maxArrayLength: Infinity })];
  try {
    out.push(JSON.stringify(value) ?? "");
  } catch {
    // Circular structures are covered by inspect.
  }
  for (let cur: unknown = value, depth = 0; cur instanceof Error && depth < 10; cur = cur.cause, depth++) {
    out.push(String(cur.stack), cur.message);
  }
  return out;
}

/** Fails when any registered secret appears anywhere in `value`. */
export function assertNoSecrets(value: unknown, what = "thrown error"): void {
  for (const text of texts(value)) {
    for (const s of SECRETS) {
      if (text.includes(s)) assert.fail(`a secret (${s.length} chars, starting ${JSON.stringify(s.slice(0, 3))}) leaked into a ${what}`);
    }
  }
}

/**
 * Like `assert.rejects`, and returns the error: awaits `p`, demands a rejection, scans the error for secrets, then
 * runs `check` (a guard or a function with asserts; a false result fails).
 */
export async function rejects(p: Promise<unknown> | (() => Promise<unknown>), check?: (e: any) => unknown): Promise<any> {
  let error: unknown;
  let rejected = false;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    rejected = true;
    error = e;
  }
  assert.ok(rejected, "expected a rejection");
  assertNoSecrets(error);
  if (check) assert.ok(check(error) !== false, `unexpected error: ${inspect(error)}`);
  return error;
}

/** A client `log` option whose lines are scanned for secrets after each test. */
export function testLog(line: string): void {
  logLines.push(line);
}

afterEach(function () {
  const lines = logLines.splice(0);
  for (const line of lines) assertNoSecrets(line, "log line");
});
