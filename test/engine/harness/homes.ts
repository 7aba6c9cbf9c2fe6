/**
 * Fake OBProxy homes (simulator `createFakeObproxyHome`) under one temporary root per process, removed at exit, so
 * test runs do not leave a directory per resource behind.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createFakeObproxyHome } from "../../../src/simulator";

let root: string | undefined;
let count = 0;

/** A fresh fake home (bin/obproxy, lib/, empty etc/). */
export function fakeHome(): Promise<string> {
  if (!root) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "obproxy-test-homes-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    root = dir;
  }
  return createFakeObproxyHome(path.join(root, `home-${++count}`));
}
