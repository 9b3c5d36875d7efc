import { isAbsolute, resolve } from "node:path";
import { type EnvRecord, loadEnvFile } from "./env-file.js";
import { loadSettings, SettingsError } from "./load-settings.js";
import { settingsJsonSchema } from "./settings-schema.js";
import { startupEnvironment } from "./startup-settings.js";

/** The configuration options of the `mcpgateway` command. */
export interface ConfigCommandOptions {
  /** `--validate-config [file]`: true without a file. */
  readonly validateConfig?: string | boolean;
  /** `--config-schema`. */
  readonly configSchema?: boolean;
}

/** Where a configuration command runs and writes. */
export interface ConfigCommandContext {
  readonly env: EnvRecord;
  readonly cwd: string;
  /** Command-line values that win over the environment. */
  readonly overrides?: EnvRecord;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The JSON Schema of the settings, as `--config-schema` prints it. */
export function configSchemaText(): string {
  return `${JSON.stringify(settingsJsonSchema(), null, 2)}\n`;
}

/**
 * Validates a `.env` file on its own, or (without a file) the environment with `./.env` under it,
 * as a start would see it. Never writes anything: development secrets are not generated.
 * Returns the problems, one line per bad variable; empty when the configuration is valid.
 */
export function validateConfiguration(file: string | undefined, context: ConfigCommandContext): string[] {
  try {
    const env =
      file === undefined
        ? startupEnvironment(context)
        : {
            ...loadEnvFile(isAbsolute(file) ? file : resolve(context.cwd, file)),
            ...definedOnly(context.overrides),
          };
    loadSettings(env);
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return [...error.problems];
    throw error;
  }
}

function definedOnly(values: EnvRecord = {}): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) defined[key] = value;
  return defined;
}

/**
 * Runs `--config-schema` or `--validate-config` when one was given and returns the exit code
 * (0 valid, 2 invalid); undefined when neither option was given.
 */
export function runConfigCommand(
  options: ConfigCommandOptions,
  context: ConfigCommandContext,
): number | undefined {
  if (options.configSchema === true) {
    context.stdout(configSchemaText());
    return 0;
  }
  if (options.validateConfig === undefined || options.validateConfig === false) return undefined;
  const file = typeof options.validateConfig === "string" ? options.validateConfig : undefined;
  const problems = validateConfiguration(file, context);
  if (problems.length === 0) {
    context.stdout("configuration is valid\n");
    return 0;
  }
  context.stderr(problems.map((problem) => `${problem}\n`).join(""));
  return 2;
}
