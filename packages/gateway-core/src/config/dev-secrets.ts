import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { EnvRecord } from "./env-file.js";
import { SettingsError } from "./load-settings.js";
import { MIN_SECRET_LENGTH } from "./settings-rules.js";

/** Where development secrets are kept, relative to the working directory (git-ignored). */
export const DEV_SECRETS_FILE = ".contextforge/secrets.json";

/** The secrets generated for development when unset. */
export const DEV_SECRET_VARIABLES: readonly string[] = ["JWT_SECRET_KEY", "AUTH_ENCRYPTION_SECRET"];

/** Options of {@link provideDevelopmentSecrets}. */
export interface DevSecretsOptions {
  readonly env: EnvRecord;
  /** The directory holding `.contextforge/`, usually `process.cwd()`. */
  readonly cwd: string;
}

/** What {@link provideDevelopmentSecrets} did. */
export interface DevSecretsResult {
  /** `env` with the development secrets filled in. */
  readonly env: Record<string, string | undefined>;
  /** Variables given a newly generated secret (now stored in {@link DevSecretsResult.file}). */
  readonly generated: readonly string[];
  /** Variables given a secret stored by an earlier start. */
  readonly reused: readonly string[];
  /** The secrets file, when it was used. */
  readonly file: string | undefined;
  /** One line to log at start when secrets came from the file; never contains a secret. */
  readonly notice: string | undefined;
}

function isUsable(value: unknown): value is string {
  return typeof value === "string" && value.length >= MIN_SECRET_LENGTH;
}

function readStored(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SettingsError([`${file}: cannot read development secrets (${(error as Error).message})`]);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  throw new SettingsError([
    `${file}: not a JSON object of development secrets; fix it, or delete it to generate new ones`,
  ]);
}

/** Writes the file readable by its owner only; false when another process created it first. */
function writeStored(file: string, secrets: Record<string, unknown>, replace: boolean): boolean {
  const text = `${JSON.stringify(secrets, null, 2)}\n`;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!replace) {
    try {
      writeFileSync(file, text, { flag: "wx", mode: 0o600 });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  }
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, file);
  return true;
}

function noticeFor(
  generated: readonly string[],
  reused: readonly string[],
  file: string,
): string | undefined {
  const parts: string[] = [];
  if (generated.length > 0) parts.push(`generated development secrets ${generated.join(", ")} into ${file}`);
  if (reused.length > 0) parts.push(`using development secrets ${reused.join(", ")} from ${file}`);
  if (parts.length === 0) return undefined;
  return `${parts.join("; ")} (set them in the environment for production)`;
}

/**
 * Development starts need no secrets: outside production, each unset `JWT_SECRET_KEY` /
 * `AUTH_ENCRYPTION_SECRET` gets a random 48-byte secret, generated once into
 * `.contextforge/secrets.json` (mode 0600) and reused on later starts. In production, or when
 * the secrets are set, `env` is returned unchanged (production's checks are `loadSettings`'s).
 */
export function provideDevelopmentSecrets({ env, cwd }: DevSecretsOptions): DevSecretsResult {
  const unchanged: DevSecretsResult = {
    env: { ...env },
    generated: [],
    reused: [],
    file: undefined,
    notice: undefined,
  };
  const environment = (env.ENVIRONMENT ?? "").trim().toLowerCase();
  // An invalid ENVIRONMENT is loadSettings' to report; only development and test get secrets.
  if (!["", "development", "test"].includes(environment)) return unchanged;
  const missing = DEV_SECRET_VARIABLES.filter((name) => (env[name] ?? "") === "");
  if (missing.length === 0) return unchanged;

  const file = join(cwd, DEV_SECRETS_FILE);
  for (let attempt = 0; ; attempt++) {
    const stored = readStored(file);
    const reused = missing.filter((name) => isUsable(stored?.[name]));
    const generated = missing.filter((name) => !reused.includes(name));
    const values: Record<string, string> = {};
    for (const name of reused) values[name] = stored?.[name] as string;
    for (const name of generated) values[name] = randomBytes(48).toString("base64url");
    if (generated.length > 0) {
      let written: boolean;
      try {
        written = writeStored(file, { ...stored, ...values }, stored !== undefined);
      } catch (error) {
        throw new SettingsError([
          `${generated.join(", ")}: not set, and development secrets cannot be written to ${file} ` +
            `(${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); set them in the environment`,
        ]);
      }
      // Another process starting in the same directory created the file first: use its secrets.
      if (!written && attempt === 0) continue;
    }
    return {
      env: { ...env, ...values },
      generated,
      reused,
      file,
      notice: noticeFor(generated, reused, file),
    };
  }
}
