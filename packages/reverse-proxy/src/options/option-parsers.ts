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

/** `--reconnect-delay`, `--heartbeat`: seconds >= 0. */
export function parseSeconds(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0) {
    throw new InvalidArgumentError("expected a number of seconds >= 0");
  }
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
