/**
 * How much of `pulumi up` of examples/basic is TypeScript type-checking: the same stack brought up (then destroyed)
 * with the Pulumi Node.js runtime's default (ts-node with type-checking, TypeScript 3.8.3 vendored by @pulumi/pulumi
 * when the project has none) and transpile-only (`PULUMI_NODEJS_TRANSPILE_ONLY=true`, the same switch as
 * `"noCheck": true` in tsconfig.json), alternating, `runs` times each, ts-node's compile cache off. Needs the Pulumi
 * CLI in .pulumi-bin.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { Cleanups } from "../../test/e2e/harness/checks";
import { basicStack } from "../../test/e2e/harness/stacks";
import { createFakeObproxyHome } from "../../src/simulator";
import { median } from "./stats";

/** `pulumi up` wall times (ms) by runtime setting. */
export interface TypecheckResult {
  checkedMs: number[];
  transpileOnlyMs: number[];
  checkedMedianMs: number;
  transpileOnlyMedianMs: number;
  /** Share of the checked `up` spent type-checking (the difference), 0–1. */
  typecheckShare: number;
}

export const CLI_PRESENT = existsSync(path.join(__dirname, "..", "..", ".pulumi-bin", "pulumi"));

/** Runs `up`/`destroy` of examples/basic `runs` times each way. */
export async function measureTypecheck(runs = 2): Promise<TypecheckResult> {
  const cleanups = new Cleanups();
  try {
    const { ws, home } = await basicStack(cleanups, 0.03);
    // ts-node 7 (vendored by @pulumi/pulumi) caches compiled programs in the OS temp dir, checks included: measure
    // a program seen for the first time (every edit of it), not a cache hit.
    ws.env.TS_NODE_CACHE = "false";
    const checkedMs: number[] = [];
    const transpileOnlyMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      for (const transpileOnly of [false, true]) {
        ws.env.PULUMI_NODEJS_TRANSPILE_ONLY = String(transpileOnly);
        const up = await ws.op("up");
        (transpileOnly ? transpileOnlyMs : checkedMs).push(up.ms);
        await ws.op("destroy");
        // obshell's delete removes bin/ and lib/: unpack the stand-in again.
        await createFakeObproxyHome(home);
      }
    }
    const checkedMedianMs = median(checkedMs);
    const transpileOnlyMedianMs = median(transpileOnlyMs);
    return { checkedMs, transpileOnlyMs, checkedMedianMs, transpileOnlyMedianMs, typecheckShare: Math.max(0, (checkedMedianMs - transpileOnlyMedianMs) / checkedMedianMs) };
  } finally {
    await cleanups.run();
  }
}
