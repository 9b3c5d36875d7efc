import { provideDevelopmentSecrets } from "./dev-secrets.js";
import { type EnvRecord, resolveEnvironment } from "./env-file.js";
import { loadSettings } from "./load-settings.js";
import type { Settings } from "./settings.js";

/** Options of {@link loadStartupSettings}. */
export interface StartupSettingsOptions {
  /** The real environment, usually `process.env`. */
  readonly env: EnvRecord;
  /** Working directory: where `.env` and `.contextforge/` are looked for. */
  readonly cwd: string;
  /** Values that win over the environment (command-line options); undefined ones are ignored. */
  readonly overrides?: EnvRecord;
}

/** The settings a start uses, and a line to log about development secrets, if any. */
export interface StartupSettings {
  readonly settings: Settings;
  readonly notice: string | undefined;
}

/** The real environment with `<cwd>/.env` under it and the defined `overrides` over it. */
export function startupEnvironment({
  env,
  cwd,
  overrides = {},
}: StartupSettingsOptions): Record<string, string | undefined> {
  const merged = resolveEnvironment({ env, cwd });
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  return merged;
}

/**
 * What `mcpgateway` and `mcpgateway migrate` start with: {@link startupEnvironment}, plus
 * development secrets when needed, validated by `loadSettings`. Throws `SettingsError`.
 */
export function loadStartupSettings(options: StartupSettingsOptions): StartupSettings {
  const env = startupEnvironment(options);
  // Report an invalid configuration before anything is written to disk.
  loadSettings(env);
  const secrets = provideDevelopmentSecrets({ env, cwd: options.cwd });
  return { settings: loadSettings(secrets.env), notice: secrets.notice };
}
