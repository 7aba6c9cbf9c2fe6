/**
 * Destroys many stacks of one Pulumi project with the Automation API: a bounded number at a time, each stack's
 * OBProxy DAG progress streamed as it happens, and one stack's failure never stopping the others.
 */
import { LocalWorkspace, Stack, type EngineEvent } from "@pulumi/pulumi/automation";

/** How one stack's teardown ended. */
export interface StackOutcome {
  stack: string;
  ok: boolean;
  ms: number;
  /** The DAG the failure names (e.g. "Delete obproxy DAG 42130706433028862"), when there is one. */
  dag?: string;
  /** The error diagnostics of the failed destroy (the provider's message names task, errCode and next step). */
  errors: string[];
}

export interface TeardownOptions {
  /** The Pulumi project directory (Pulumi.yaml, node_modules with pulumi-obproxy). */
  projectDir: string;
  /** Stack names to destroy. */
  stacks: string[];
  /** Stacks destroyed at the same time. */
  parallel: number;
  /** Remove each stack after a successful destroy (its history and config). */
  removeStacks: boolean;
  /** One line of progress: stack name and text. */
  log: (stack: string, line: string) => void;
}

/** Stack names matching a glob (`*` any run of characters, `?` one character), e.g. "pr-*". */
export function matchStacks(names: string[], glob: string): string[] {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  const re = new RegExp(`^${source}$`);
  return names.filter((n) => re.test(n)).sort();
}

/** The stacks of the project at `projectDir`, by name. */
export async function listStacks(projectDir: string): Promise<string[]> {
  const ws = await LocalWorkspace.create({ workDir: projectDir });
  return (await ws.listStacks()).map((s) => s.name);
}

// "Delete obproxy DAG 42130706433028862": what the provider's progress lines and errors call a DAG.
const DAG_RE = /([A-Z][a-z]+ obproxy) DAG (\d+)/;

/** Destroys one stack; never throws: a failure becomes an outcome with its DAG and error lines. */
async function destroyOne(ws: LocalWorkspace, name: string, o: TeardownOptions, select: <T>(f: () => Promise<T>) => Promise<T>): Promise<StackOutcome> {
  const started = Date.now();
  const errors: string[] = [];
  let lastDag: string | undefined;
  const onEvent = (event: EngineEvent) => {
    const d = event.diagnosticEvent;
    if (!d || d.ephemeral) return;
    const text = d.message.trim();
    const dag = DAG_RE.exec(text);
    if (dag) lastDag = `${dag[1]} DAG ${dag[2]}`;
    // The engine's closing "update failed" adds nothing to the provider's own error.
    if (d.severity === "error" && text !== "update failed") errors.push(text);
    for (const line of text.split("\n")) {
      // The plugin's stderr repeats an error with its stack: the frames are for the provider's developers.
      if (!line.trim() || (d.severity === "info#err" && /^\s*at \S/.test(line))) continue;
      o.log(name, d.severity === "error" ? `error: ${line}` : line);
    }
  };
  try {
    // `stack select` writes the workspace's current stack: one at a time. The destroys name their stack.
    const stack = await select(() => Stack.select(name, ws));
    o.log(name, "destroying");
    await stack.destroy({ onEvent, color: "never" });
    if (o.removeStacks) await ws.removeStack(name);
    const ms = Date.now() - started;
    o.log(name, `destroyed in ${(ms / 1000).toFixed(1)} s${o.removeStacks ? ", stack removed" : ""}`);
    return { stack: name, ok: true, ms, errors };
  } catch (e) {
    if (errors.length === 0) errors.push(String((e as Error).message ?? e).split("\n").slice(0, 20).join("\n"));
    const named = errors.map((t) => DAG_RE.exec(t)).find((m) => m !== null);
    o.log(name, "destroy failed");
    return { stack: name, ok: false, ms: Date.now() - started, dag: named ? `${named[1]} DAG ${named[2]}` : lastDag, errors };
  }
}

/** Destroys `o.stacks`, at most `o.parallel` at a time; resolves with every stack's outcome, in input order. */
export async function destroyStacks(o: TeardownOptions): Promise<StackOutcome[]> {
  const ws = await LocalWorkspace.create({ workDir: o.projectDir });
  let selecting: Promise<unknown> = Promise.resolve();
  const select = <T>(f: () => Promise<T>): Promise<T> => {
    const next = selecting.then(f, f);
    selecting = next.catch(() => undefined);
    return next;
  };
  const outcomes: StackOutcome[] = new Array(o.stacks.length);
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < o.stacks.length) {
      const i = nextIndex++;
      outcomes[i] = await destroyOne(ws, o.stacks[i], o, select);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.parallel, o.stacks.length) }, worker));
  return outcomes;
}
