/**
 * Environment teardown: destroy every stack of a Pulumi project whose name matches a pattern (e.g. all `pr-*`
 * preview environments), a few at a time, and say exactly what is left when one fails.
 *
 *   npx tsx index.ts --cwd ../basic 'pr-*' [--parallel 4] [--keep-stacks]
 *
 * Exit code 0 when every matching stack was destroyed (and removed, unless --keep-stacks), 1 when any failed
 * (they are listed with their DAG and the command that resumes them), 2 for bad arguments.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { destroyStacks, listStacks, matchStacks, type StackOutcome } from "./teardown";

const USAGE = "usage: tsx index.ts [--cwd <project dir>] [--parallel <n>] [--keep-stacks] <stack pattern, e.g. 'pr-*'>";

interface Args {
  projectDir: string;
  pattern: string;
  parallel: number;
  keepStacks: boolean;
}

function parse(argv: string[]): Args {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      cwd: { type: "string", default: process.cwd() },
      parallel: { type: "string", default: "4" },
      "keep-stacks": { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 1) throw new Error(`expected one stack pattern, got ${positionals.length}`);
  const parallel = Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new Error(`--parallel must be an integer from 1 to 64, not ${values.parallel}`);
  return { projectDir: path.resolve(values.cwd), pattern: positionals[0], parallel, keepStacks: values["keep-stacks"] };
}

/** Quotes a shell word when it needs it. */
const sh = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** This program's path as the user would type it: relative when below the current directory. */
function self(): string {
  const relative = path.relative(process.cwd(), __filename);
  return relative.startsWith("..") || path.isAbsolute(relative) ? __filename : relative;
}

function report(outcomes: StackOutcome[], args: Args): void {
  const failed = outcomes.filter((o) => !o.ok);
  console.log(`\nteardown of ${sh(args.pattern)}: ${outcomes.length - failed.length} destroyed, ${failed.length} failed`);
  for (const o of outcomes) console.log(`  ${o.stack.padEnd(24)} ${o.ok ? "destroyed" : "FAILED   "} ${(o.ms / 1000).toFixed(1)} s`);
  for (const o of failed) {
    console.log(`\n${o.stack}: FAILED${o.dag ? ` — ${o.dag}` : ""}`);
    for (const e of o.errors) console.log(`  ${e.replace(/\n/g, "\n  ")}`);
    console.log(`  resume: pulumi destroy --stack ${sh(o.stack)} --cwd ${sh(args.projectDir)}`);
    console.log(`      or: npx tsx ${sh(self())} --cwd ${sh(args.projectDir)} ${sh(o.stack)}`);
  }
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`teardown: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const stacks = matchStacks(await listStacks(args.projectDir), args.pattern);
  console.log(`teardown: ${stacks.length} stack(s) of ${args.projectDir} match ${sh(args.pattern)}: ${stacks.join(", ") || "none"}; ${args.parallel} at a time`);
  const outcomes = await destroyStacks({
    projectDir: args.projectDir,
    stacks,
    parallel: args.parallel,
    removeStacks: !args.keepStacks,
    log: (stack, line) => console.log(`[${stack}] ${line}`),
  });
  report(outcomes, args);
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    console.error(`teardown: ${e.message}`);
    process.exitCode = 1;
  },
);
