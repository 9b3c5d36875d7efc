import { createRequire } from "node:module";
import { type Logger as PinoLogger, pino } from "pino";
import type PinoPretty from "pino-pretty";
import type { Settings } from "../config/settings-schema.js";

/** The structured logger every component receives. */
export type Logger = PinoLogger;

/**
 * A pino logger writing to stderr: JSON lines by default, or human-readable text
 * (pino-pretty, synchronous, no worker thread) when `LOG_FORMAT=text`.
 */
// pino-pretty is loaded only for LOG_FORMAT=text: the default JSON logger never pays for it.
const require = createRequire(import.meta.url);

export function createLogger(settings: Pick<Settings, "LOG_LEVEL" | "LOG_FORMAT">): Logger {
  const options = { level: settings.LOG_LEVEL, base: { service: "mcpgateway" } };
  if (settings.LOG_FORMAT === "text") {
    const pretty = require("pino-pretty") as typeof PinoPretty;
    return pino(options, pretty({ destination: 2, sync: true, colorize: false }));
  }
  return pino(options, pino.destination({ dest: 2, sync: false }));
}
