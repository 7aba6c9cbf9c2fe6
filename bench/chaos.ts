/**
 * `npm run chaos [-- --count N --seed S --concurrency C]` (or CHAOS_COUNT / CHAOS_SEED / CHAOS_CONCURRENCY): seeded
 * random fault schedules against the simulator, create → destroy through the provider. Prints the seed first, each
 * failing schedule with its violations, and one summary line last; exits 1 on any violation.
 */
import { isClean, runChaos, summaryLine } from "./chaos/run";
import { describeSchedule } from "./chaos/schedule";

function arg(name: string, env: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} / ${env} must be a non-negative integer, got ${raw}`);
  return n;
}

async function main(): Promise<void> {
  const seed = arg("seed", "CHAOS_SEED", Math.floor(Math.random() * 2 ** 31));
  const count = arg("count", "CHAOS_COUNT", 200);
  const concurrency = arg("concurrency", "CHAOS_CONCURRENCY", 8);
  const write = (line: string) => process.stdout.write(`${line}\n`);
  write(`chaos: seed ${seed}, ${count} schedules, ${concurrency} at a time (re-run: npm run chaos -- --seed ${seed} --count ${count})`);
  let done = 0;
  const summary = await runChaos({
    seed,
    count,
    concurrency,
    onSchedule: (run, violations) => {
      done++;
      if (violations.length) {
        write(`FAIL ${describeSchedule(run.schedule)}`);
        for (const v of violations) write(`  ${v.kind}: ${v.detail.split("\n").slice(0, 6).join("\n    ")}`);
      } else if (done % 25 === 0) {
        write(`  ${done}/${count} schedules done`);
      }
    },
  });
  for (const f of summary.failures.filter((x) => x.schedule === "process")) for (const v of f.violations) write(`  ${v.detail}`);
  const o = summary.outcomes;
  write(
    `faults bit: ${o.faultRequests} requests faulted, ${o.createFailed} creates failed (${o.createLostTrack} without state), ` +
      `${o.destroyFailedFirst} first destroys failed, ${o.recovered} recovered on the second destroy`,
  );
  const a = summary.actors;
  write(`actors: second party adding in ${a.partyAdd} schedules, deleting in ${a.partyDelete}, operator passing in ${a.operatorPass}, agent silent in ${a.silent}`);
  write(summaryLine(summary));
  process.exitCode = isClean(summary) ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`chaos: harness error: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 2;
});
