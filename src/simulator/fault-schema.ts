/**
 * The FaultPlan as a zod schema, for plans that arrive as text (the CLI's `--faults`; the `/__sim/faults` control
 * route could use it too). Strict: an unknown key is a typo, and a typo'd fault must not silently do nothing.
 */
import { z } from "zod";
import type { FaultPlan } from "./faults";

const count = z.number().int().positive().optional();
const counted = { count, path: z.string().startsWith("/").optional() };

const failTask = z.strictObject({
  task: z.string().min(1),
  dag: z.string().min(1).optional(),
  times: z.union([z.literal("once"), z.literal("always"), z.number().int().positive()]).optional(),
  errCode: z.string().min(1).optional(),
  message: z.string().optional(),
  then: z.enum(["pass", "retry"]).optional(),
});

/** A whole FaultPlan; checked against the `FaultPlan` type so the two cannot drift apart. */
export const FaultPlanSchema: z.ZodType<FaultPlan> = z.strictObject({
  failTasks: z.array(failTask).optional(),
  delay: z.strictObject({ ...counted, ms: z.number().int().nonnegative() }).optional(),
  drop: z.strictObject(counted).optional(),
  reset: z.strictObject(counted).optional(),
  status5xx: z.strictObject({ ...counted, status: z.number().int().min(500).max(599) }).optional(),
  malformed: z.strictObject({ ...counted, kind: z.enum(["non-json", "truncated", "oversized", "wrong-envelope"]) }).optional(),
  silent: z.strictObject(counted).optional(),
  slowLoris: z.strictObject({ ...counted, byteEveryMs: z.number().int().positive() }).optional(),
});

/** Parses a FaultPlan from JSON text; the error names the field ("failTasks[0].times: …"). */
export function parseFaultPlan(json: string): FaultPlan {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`);
  }
  const parsed = FaultPlanSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(parsed.error.issues.map((i) => `${formatPath(i.path) || "(plan)"}: ${i.message}`).join("; "));
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");
}
