import type { z } from "zod";
import { type GatewayError, type ValidationIssue, validationError } from "../errors/gateway-error.js";

/** zod's issues as {@link ValidationIssue}s, located under `prefix` (e.g. `["body", "tool"]`). */
export function zodIssues(error: z.ZodError, prefix: readonly (string | number)[]): ValidationIssue[] {
  return error.issues.map((issue) => {
    const unknownKeys = issue.code === "unrecognized_keys" ? issue.keys : undefined;
    return {
      loc: [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
      msg: unknownKeys ? `unknown field(s): ${unknownKeys.join(", ")}` : issue.message,
      type: issue.code,
    };
  });
}

/** Validates `input` with `schema`, throwing a 422 that names every bad field under `prefix`. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, prefix: readonly (string | number)[]): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw validationError(zodIssues(parsed.error, prefix)) satisfies GatewayError;
  return parsed.data;
}
