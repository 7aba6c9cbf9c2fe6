/**
 * The protocol knowledge the code depends on lives in the repository: every `§x.y` cited anywhere names a heading of
 * docs/protocol.md, and no tracked file points at the reference folder outside the repository.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const PROTOCOL = "docs/protocol.md";
/** Built from parts so this file does not trip its own check. */
const OUTSIDE = [["..", "shared"].join("/"), ["", "work", "shared"].join("/")];
const SKIP_DIRS = new Set(["node_modules", "dist", ".git", ".pulumi-bin", ".obshell-bin", "tools"]);
const TEXT = /\.(ts|js|mjs|cjs|md|json|ya?ml|sh|txt)$|^[^.]+$/;

/** Tracked files (git), or every file outside build folders when there is no git checkout. */
function repoFiles(): string[] {
  try {
    return execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 }).split("\0").filter(Boolean);
  } catch {
    const out: string[] = [];
    const walk = (rel: string) => {
      for (const name of readdirSync(path.join(ROOT, rel))) {
        const child = rel ? `${rel}/${name}` : name;
        if (statSync(path.join(ROOT, child)).isDirectory()) {
          if (!SKIP_DIRS.has(name)) walk(child);
        } else out.push(child);
      }
    };
    walk("");
    return out;
  }
}

function textFiles(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const file of repoFiles()) {
    if (!TEXT.test(path.basename(file)) || file === "package-lock.json") continue;
    let text: string;
    try {
      text = readFileSync(path.join(ROOT, file), "utf8");
    } catch {
      continue; // deleted in the work tree but still tracked
    }
    out.push({ file, text });
  }
  return out;
}

/** Section numbers of docs/protocol.md headings ("## 4.7 Reading …" → "4.7"). */
function headingNumbers(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s/gm)) out.add(m[1]);
  return out;
}

/**
 * `§x.y` citations in a text, with line numbers. A citation of another document names it right before the sign
 * ("RFC 8017 §7.2.2") and is not ours.
 */
function protocolRefs(text: string): Array<{ ref: string; line: number }> {
  const out: Array<{ ref: string; line: number }> = [];
  for (const m of text.matchAll(/§\s?(\d+(?:\.\d+)*)/g)) {
    const before = text.slice(Math.max(0, (m.index ?? 0) - 12), m.index);
    if (/RFC\s?\d+\s*,?\s*$/.test(before)) continue;
    out.push({ ref: m[1], line: text.slice(0, m.index).split("\n").length });
  }
  return out;
}

describe("docs/protocol.md is the protocol reference", () => {
  const headings = headingNumbers(readFileSync(path.join(ROOT, PROTOCOL), "utf8"));
  const files = textFiles();

  it("the reference scanner sees headings, citations and skips other documents' sections", () => {
    assert.deepEqual([...headingNumbers("## 4. Routes\n### 4.7 Reading\n#### 7.4.2 Chunking\ntext 5.1\n")], ["4", "4.7", "7.4.2"]);
    assert.deepEqual(protocolRefs("a (§2.2)\nb §4.1 step 2, § 5\nRFC 8017 §7.2.2").map((r) => `${r.ref}@${r.line}`), ["2.2@1", "4.1@2", "5@2"]);
  });

  it("has the sections the code leans on", () => {
    for (const n of ["0", "1.2", "1.4", "2.2", "2.3", "2.4", "2.5", "4.1", "4.2", "4.7", "5.1", "5.2", "5.3", "5.5", "6", "7.1", "9"]) {
      assert.ok(headings.has(n), `docs/protocol.md has no heading "${n} …"`);
    }
  });

  it("every § citation in the repository names one of its headings", () => {
    const dangling: string[] = [];
    let count = 0;
    for (const { file, text } of files) {
      for (const { ref, line } of protocolRefs(text)) {
        count++;
        if (!headings.has(ref)) dangling.push(`${file}:${line} §${ref}`);
      }
    }
    assert.ok(count > 100, `only ${count} citations found: is the scan looking at the repository?`);
    assert.deepEqual(dangling, [], `citations without a heading in ${PROTOCOL}`);
  });

  it("cites Appendix A only because it exists", () => {
    const cites = files.some(({ text }) => /Appendix A\b/.test(text));
    if (cites) assert.match(readFileSync(path.join(ROOT, PROTOCOL), "utf8"), /^## Appendix A\b/m);
  });

  it("no tracked file points at the reference folder outside the repository", () => {
    const offenders = files.filter(({ text }) => OUTSIDE.some((o) => text.includes(o))).map((f) => f.file);
    assert.deepEqual(offenders, []);
  });
});
