import { z } from "zod";

/**
 * Parsers for environment-style string values, shared by the settings schema. Each one turns
 * the raw string into its typed value, and its error message reads well after the variable
 * name ("PORT: must be between 0 and 65535").
 */

const TRUE_WORDS = ["true", "1", "yes", "on"];
const BOOLEAN_WORDS = ["true", "false", "1", "0", "yes", "no", "on", "off"] as const;

/** A boolean as ContextForge accepts it: true/false, 1/0, yes/no, on/off, in any case. */
export const envBoolean: z.ZodType<boolean, string> = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(BOOLEAN_WORDS, { error: `must be one of ${BOOLEAN_WORDS.join(", ")}` }))
  .transform((value) => TRUE_WORDS.includes(value))
  .pipe(z.boolean());

/** A whole number in `[min, max]` (no upper bound when `max` is omitted). */
export function envInteger(min: number, max?: number): z.ZodType<number, unknown> {
  const range = max === undefined ? `must be ${min} or more` : `must be between ${min} and ${max}`;
  const base = z.coerce.number({ error: "must be a number" }).int("must be an integer").min(min, range);
  return max === undefined ? base : base.max(max, range);
}

/** One of `values`; matched case-insensitively when `caseInsensitive` (the values are lowercase). */
export function envEnum<const T extends readonly [string, ...string[]]>(
  values: T,
  options: { caseInsensitive?: boolean } = {},
): z.ZodType<T[number], string> {
  const choice = z.enum(values, { error: `must be one of ${values.join(", ")}` });
  return options.caseInsensitive === true
    ? z
        .string()
        .transform((value) => value.trim().toLowerCase())
        .pipe(choice)
    : z.string().pipe(choice);
}

/**
 * A list given either as a JSON array of strings (`["a","b"]`) or comma-separated (`a, b`),
 * as ContextForge reads list settings. Blank entries are dropped.
 */
export const envList: z.ZodType<string[], string> = z
  .string()
  .transform((value, ctx): string[] => {
    const text = value.trim();
    if (!text.startsWith("[")) {
      return text
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === "string")) {
        return parsed.map((item) => item.trim()).filter((item) => item !== "");
      }
    } catch {
      // reported below
    }
    ctx.issues.push({
      code: "custom",
      input: value,
      message: "must be a JSON array of strings or a comma-separated list",
    });
    return z.NEVER;
  })
  .pipe(z.array(z.string()));

/** `true` when `value` is `*` or a bare web origin such as `https://app.example.com:8443`. */
export function isOrigin(value: string): boolean {
  if (value === "*") return true;
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value;
  } catch {
    return false;
  }
}
