/** Log levels, most verbose first; `none` silences everything. */
export const LOG_LEVELS: readonly ["debug", "info", "warn", "error", "none"] = [
  "debug",
  "info",
  "warn",
  "error",
  "none",
];

/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Receives the reverse proxy's diagnostics. */
export type ReverseProxyLogger = (level: Exclude<LogLevel, "none">, message: string) => void;

/** A logger writing `mcpreverseproxy: <message>` lines to stderr at or above `level`. */
export function stderrLogger(level: LogLevel): ReverseProxyLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  return (messageLevel, message) => {
    if (LOG_LEVELS.indexOf(messageLevel) >= threshold) process.stderr.write(`mcpreverseproxy: ${message}\n`);
  };
}
