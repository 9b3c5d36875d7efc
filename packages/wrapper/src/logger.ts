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

/** Receives the wrapper's diagnostics. Never MCP traffic: stdout belongs to the JSON-RPC stream. */
export type WrapperLogger = (level: Exclude<LogLevel, "none">, message: string) => void;

/** A logger writing `mcpwrapper: <message>` lines to stderr at or above `level`. */
export function stderrLogger(level: LogLevel): WrapperLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  return (messageLevel, message) => {
    if (LOG_LEVELS.indexOf(messageLevel) >= threshold) process.stderr.write(`mcpwrapper: ${message}\n`);
  };
}
