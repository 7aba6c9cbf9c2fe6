// Types of scripts/pulumi-env.js for the TypeScript callers (test/e2e, scripts/demo.ts).
import type { ChildProcess } from "node:child_process";

export const repoRoot: string;
export const cliDir: string;
export function isCliBuilt(): boolean;
export function pulumiEnv(workDir: string, extra?: Record<string, string>): Record<string, string>;
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
  },
): Promise<PulumiResult>;
