/**
 * One spelling per place. `HTTP://H:2886`, `http://h:2886/` and `http://h:2886` name the same agent, and
 * `/home/obproxy/` the same directory as `/home/obproxy`: `check` hands the engine these normal forms, and `diff`
 * compares normal forms on both sides (states written before this existed hold the raw text), so a cosmetic edit
 * never replaces the resource — a replacement deletes first, which wipes the installation.
 */

/**
 * The endpoint as its URL origin: scheme and host lower-cased, default port dropped, trailing `/` and `.` segments
 * gone. Undefined when it is not an http(s) URL without path, query, fragment or credentials (check reports why).
 */
export function normalizeEndpoint(value: unknown): string | undefined {
  if (typeof value !== "string" || value !== value.trim()) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (!url.hostname || url.username || url.password) return undefined;
  if (url.pathname !== "/" || url.search || url.hash) return undefined;
  return url.origin;
}

/**
 * The home path with repeated `/`, `.` segments and the trailing `/` removed. `..` is kept (check rejects it: it
 * cannot be resolved without the agent's file system, where a symlink may point anywhere).
 */
export function normalizeHomePath(value: unknown): string | undefined {
  if (typeof value !== "string" || !value.startsWith("/")) return undefined;
  const segments = value.split("/").filter((s) => s !== "" && s !== ".");
  return `/${segments.join("/")}`;
}

/** The value `diff` compares for a key: the normal form when there is one, else the value itself. */
export function comparable(key: string, value: unknown): unknown {
  if (key === "endpoint") return normalizeEndpoint(value) ?? value;
  if (key === "homePath") return normalizeHomePath(value) ?? value;
  return value;
}

/** The inputs with endpoint and homePath in normal form (values that do not normalize are left for check to report). */
export function normalizeInputs<T extends Record<string, unknown>>(news: T): T {
  const out: Record<string, unknown> = { ...news };
  const endpoint = normalizeEndpoint(news.endpoint);
  if (endpoint !== undefined) out.endpoint = endpoint;
  const homePath = normalizeHomePath(news.homePath);
  if (homePath !== undefined && !homePath.split("/").includes("..")) out.homePath = homePath;
  return out as T;
}
