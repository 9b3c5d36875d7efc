import { InvalidArgumentError } from "commander";
import { LOG_LEVELS, type LogLevel } from "../logger.js";

/** `--gateway`: an absolute http(s) or ws(s) URL of the gateway (its root, or `/reverse-proxy/ws`). */
export function parseGatewayUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("expected an absolute URL, e.g. https://gateway.example.com");
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) {
    throw new InvalidArgumentError("expected an http://, https://, ws:// or wss:// URL");
  }
  return url;
}

/** `--reconnect-delay`, `--keepalive`: seconds >= 0. */
export function parseSeconds(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0) {
    throw new InvalidArgumentError("expected a number of seconds >= 0");
  }
  return parsed;
}

/** `--max-retries`: an integer >= 0 (0: retry forever). */
export function parseRetries(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isInteger(parsed) || parsed < 0) {
    throw new InvalidArgumentError("expected a whole number >= 0 (0: retry forever)");
  }
  return parsed;
}

/** The name of an environment variable: no `=`, no NUL, not empty. */
const ENV_NAME = /^[^=\0]+$/;

/** `--env KEY=VALUE`, repeatable: adds one variable to those collected so far (a later one wins). */
export function parseEnvAssignment(
  value: string,
  previous: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const equals = value.indexOf("=");
  const name = equals < 0 ? "" : value.slice(0, equals);
  if (!ENV_NAME.test(name)) throw new InvalidArgumentError("expected KEY=VALUE, e.g. --env API_KEY=secret");
  return { ...previous, [name]: value.slice(equals + 1) };
}

/** Whether `name` can name an environment variable (see {@link parseEnvAssignment}). */
export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

const LEVEL_ALIASES: Readonly<Record<string, LogLevel>> = { warning: "warn", off: "none", critical: "error" };

/** `--log-level`: one of {@link LOG_LEVELS}, any case; ContextForge's `WARNING`, `OFF` too. */
export function parseLogLevel(value: string): LogLevel {
  const lower = value.trim().toLowerCase();
  const level = LEVEL_ALIASES[lower] ?? lower;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(", ")}`);
  }
  return level as LogLevel;
}
