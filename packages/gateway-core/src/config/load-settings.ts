import { displayValue } from "./mask-values.js";
import { SETTINGS_VARIABLES, type Settings, settingsSchema } from "./settings-schema.js";

/** Raised when configuration is invalid; `problems` holds one line per bad variable. */
export class SettingsError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "SettingsError";
    this.problems = problems;
  }
}

/**
 * Validates environment-style values into frozen {@link Settings}. Pure: reads only `env`.
 * Unknown variables are ignored (the environment holds many); empty strings count as unset.
 * Secret values never appear in the problems.
 */
export function loadSettings(env: Readonly<Record<string, string | undefined>> = process.env): Settings {
  const input: Record<string, string> = {};
  for (const key of SETTINGS_VARIABLES) {
    const value = env[key];
    if (value !== undefined && value !== "") input[key] = value;
  }
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) {
    // One line per variable: a variable with several issues gets them joined.
    const messages = new Map<string, string[]>();
    for (const issue of parsed.error.issues) {
      const name = issue.path.length > 0 ? String(issue.path[0]) : "(settings)";
      messages.set(name, [...(messages.get(name) ?? []), issue.message]);
    }
    throw new SettingsError(
      [...messages].map(([name, list]) => {
        const raw = input[name];
        const got = raw === undefined ? "" : ` (got ${JSON.stringify(displayValue(name, raw))})`;
        return `${name}: ${[...new Set(list)].join("; ")}${got}`;
      }),
    );
  }
  // Frozen all the way down: no part of the configuration can change after start.
  return Object.freeze({ ...parsed.data, ALLOWED_ORIGINS: Object.freeze([...parsed.data.ALLOWED_ORIGINS]) });
}
