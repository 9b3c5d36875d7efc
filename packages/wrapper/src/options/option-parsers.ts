import { InvalidArgumentError } from "commander";
import { LOG_LEVELS, type LogLevel } from "../logger.js";

/** `--url`: an absolute http(s) URL. */
export function parseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("expected an absolute URL, e.g. https://gateway.example.com/mcp");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidArgumentError("expected an http:// or https:// URL");
  }
  return url;
}

/** `--timeout`: seconds >= 0 (0 disables the limit). */
export function parseSeconds(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0) {
    throw new InvalidArgumentError("expected a number of seconds >= 0");
  }
  return parsed;
}

/** `--concurrency`: an integer >= 1. */
export function parsePositiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new InvalidArgumentError("expected an integer >= 1");
  return parsed;
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

/** The HTTP token characters a header name may use (RFC 9110). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `--header "Name: value"`, repeatable: collected into `[name, value]` pairs. */
export function collectHeader(value: string, previous: readonly [string, string][]): [string, string][] {
  const colon = value.indexOf(":");
  const name = colon === -1 ? "" : value.slice(0, colon).trim();
  if (!HEADER_NAME.test(name)) throw new InvalidArgumentError('expected "Name: value"');
  return [...previous, [name, value.slice(colon + 1).trim()]];
}
