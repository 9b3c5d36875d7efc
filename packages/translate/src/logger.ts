/** Log levels, most verbose first. */
export const LOG_LEVELS: readonly ["debug", "info", "warn", "error", "none"] = [
  "debug",
  "info",
  "warn",
  "error",
  "none",
];

/** A log level; `none` silences everything. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Receives the bridge's log lines (never MCP traffic). */
export type TranslateLogger = (level: Exclude<LogLevel, "none">, message: string) => void;

/** A logger writing `mcptranslate: <message>` lines to stderr at or above `level`. */
export function stderrLogger(level: LogLevel): TranslateLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  return (messageLevel, message) => {
    if (LOG_LEVELS.indexOf(messageLevel) >= threshold) process.stderr.write(`mcptranslate: ${message}\n`);
  };
}
