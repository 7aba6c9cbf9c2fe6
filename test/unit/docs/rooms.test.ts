/** The one-way doors of docs/architecture.md, checked on every import in src/. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const SRC = path.resolve(__dirname, "..", "..", "..", "src");
/** What the simulator may take from the client: the wire definition, the encryption and the clock, nothing with I/O. */
const SIMULATOR_MAY_USE = new Set(["obshell/schemas.ts", "obshell/crypto.ts", "obshell/clock.ts"]);

function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Relative imports of a file, resolved to paths under src/ ("obshell/schemas.ts"). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import|require)\s*\(?\s*"(\.{1,2}\/[^"]*)"/g)) {
    let target = path.relative(SRC, path.resolve(path.dirname(file), m[1])).split(path.sep).join("/");
    if (!target.endsWith(".ts")) target = statSafe(path.join(SRC, target)) ? `${target}/index.ts` : `${target}.ts`;
    out.push(target);
  }
  return out;
}

function statSafe(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const room = (rel: string) => rel.split("/")[0];

describe("architecture: rooms and their one-way doors", () => {
  const edges = sources().flatMap((file) => {
    const from = path.relative(SRC, file).split(path.sep).join("/");
    return importsOf(file).map((to) => ({ from, to }));
  });

  it("finds the imports it checks", () => assert.ok(edges.length > 100, `${edges.length} imports`));

  it("the client imports nothing of the provider or the simulator", () => {
    assert.deepEqual(edges.filter((e) => room(e.from) === "obshell" && room(e.to) !== "obshell"), []);
  });

  it("the simulator takes only schemas, crypto and the clock from the client, and nothing of the provider", () => {
    const bad = edges.filter((e) => room(e.from) === "simulator" && room(e.to) !== "simulator" && !SIMULATOR_MAY_USE.has(e.to));
    assert.deepEqual(bad, []);
  });

  it("the provider never imports the simulator", () => {
    assert.deepEqual(edges.filter((e) => room(e.from) === "provider" && room(e.to) === "simulator"), []);
  });
});
