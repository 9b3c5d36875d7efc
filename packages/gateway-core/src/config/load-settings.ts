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
 * Validates environment-style values into frozen {@link Settings}.
 * Unknown variables are ignored (the environment holds many); empty strings count as unset.
 */
export function loadSettings(env: Readonly<Record<string, string | undefined>> = process.env): Settings {
  const input: Record<string, string> = {};
  for (const key of SETTINGS_VARIABLES) {
    const value = env[key];
    if (value !== undefined && value !== "") input[key] = value;
  }
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join(".") || "(settings)";
        return `${name}: ${issue.message} (got ${JSON.stringify(input[name] ?? null)})`;
      }),
    );
  }
  return Object.freeze(parsed.data);
}
