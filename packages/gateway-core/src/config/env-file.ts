import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "dotenv";
import { SettingsError } from "./load-settings.js";

/** Environment-style values by variable name. */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/**
 * Reads a `.env` file (`KEY=value` lines, `#` comments, quotes, `export KEY=...`) with dotenv's
 * parser. Nothing is written to `process.env`. Throws {@link SettingsError} when the file cannot
 * be read.
 */
export function loadEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new SettingsError([`${path}: cannot read the file (${code})`]);
  }
  return parse(text);
}

/** Options of {@link resolveEnvironment}. */
export interface ResolveEnvironmentOptions {
  /** The real environment, usually `process.env`. */
  readonly env: EnvRecord;
  /** Directory whose `.env` is read, usually `process.cwd()`. */
  readonly cwd: string;
}

/**
 * The environment the gateway configures itself from: `<cwd>/.env` (when present) under the real
 * environment. A variable set in the real environment wins; an empty one counts as unset, as in
 * `loadSettings`, so the file's value shows through.
 */
export function resolveEnvironment({
  env,
  cwd,
}: ResolveEnvironmentOptions): Record<string, string | undefined> {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parse(readFileSync(join(cwd, ".env"), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new SettingsError([`${join(cwd, ".env")}: cannot read the file (${code})`]);
    }
  }
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== "") merged[key] = value;
    else if (!(key in merged)) merged[key] = value;
  }
  return merged;
}
