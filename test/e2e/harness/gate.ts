/**
 * A simulator clock with a gate: while the gate is closed, every task sleep of obshell-sim's DAGs ends only when
 * it opens again. A test closes it to keep a DAG RUNNING for exactly as long as it needs — across a Ctrl-C and
 * the start of the next `pulumi destroy` — instead of betting on a slow time scale on a loaded machine.
 */
import { realClock, type SimClock } from "../../../src/simulator/clock";

export class GatedClock implements SimClock {
  private opened: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  now(): number {
    return realClock.now();
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await realClock.sleep(ms, signal);
    while (this.release) {
      const opened = this.opened;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
        if (signal?.aborted) return onAbort();
        signal?.addEventListener("abort", onAbort, { once: true });
        void opened.then(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    }
  }

  /** Sleeps in progress and new ones wait until `open()`. */
  close(): void {
    if (this.release) return;
    this.opened = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }
}
