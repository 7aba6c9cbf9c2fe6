// Types of scripts/pulumi-env.js for the TypeScript callers (test/e2e, scripts/demo.ts).
import type { ChildProcess } from "node:child_process";

export const repoRoot: string;
export const cliDir: string;
export function isCliBuilt(dir?: string): boolean;
/** Where a Pulumi CLI was found, and the folder whose bundled plugins it uses. */
export interface FoundCli {
  source: "PULUMI_CLI" | "PATH" | ".pulumi-bin";
  pulumi: string;
  dir: string;
}
export function findPulumiCli(env?: NodeJS.ProcessEnv, localDir?: string): FoundCli | undefined;
export function pulumiEnv(workDir: string, extra?: Record<string, string>, binDir?: string): Record<string, string>;
export interface PulumiResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
export function runPulumi(
  args: string[],
  options?: {
    cwd?: string;
    env?: Record<string, string>;
    timeoutMs?: number;
    onLine?: (line: string) => void;
    onSpawn?: (child: ChildProcess) => void;
    /** The `pulumi` executable. @default .pulumi-bin/pulumi */
    pulumi?: string;
  },
): Promise<PulumiResult>;
