export {
  encodeTunnelFrame,
  FATAL_CLOSE_CODES,
  parseTunnelFrame,
  splitCommandLine,
  TUNNEL_CLOSE_CODES,
  type TunnelFrame,
} from "@contextforge/mcp-transport";
export { LOG_LEVELS, type LogLevel, type ReverseProxyLogger, stderrLogger } from "./logger.js";
export { type ReverseProxyCliOptions, toReverseProxyOptions } from "./options/cli-options.js";
export { loadConfigFile, type ReverseProxyConfig } from "./options/config-file.js";
export {
  DEFAULT_HEARTBEAT_SECONDS,
  DEFAULT_MAX_RECONNECT_DELAY_SECONDS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_RECONNECT_DELAY_SECONDS,
  type ReverseProxyOptions,
} from "./options/reverse-proxy-options.js";
export { defaultServerName, REVERSE_PROXY_PATH, tunnelUrl } from "./options/tunnel-url.js";
export { createProgram, VERSION } from "./program.js";
export { ReverseProxyError, type ReverseProxyErrorCode } from "./reverse-proxy-error.js";
export { type ReverseProxyHandle, startReverseProxy } from "./start-reverse-proxy.js";
