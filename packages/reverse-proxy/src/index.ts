export {
  encodeTunnelFrame,
  FATAL_CLOSE_CODES,
  parseTunnelFrame,
  splitCommandLine,
  TUNNEL_CLOSE_CODES,
  type TunnelFrame,
} from "@contextforge/mcp-transport";
export { LOG_LEVELS, type LogLevel, type ReverseProxyLogger, stderrLogger } from "./logger.js";
export {
  DEFAULT_HEARTBEAT_SECONDS,
  DEFAULT_MAX_RECONNECT_DELAY_SECONDS,
  DEFAULT_RECONNECT_DELAY_SECONDS,
  type ReverseProxyOptions,
} from "./options/reverse-proxy-options.js";
export { defaultServerName, REVERSE_PROXY_PATH, tunnelUrl } from "./options/tunnel-url.js";
export { createProgram, type ReverseProxyCliOptions, toReverseProxyOptions, VERSION } from "./program.js";
export { ReverseProxyError, type ReverseProxyErrorCode } from "./reverse-proxy-error.js";
export { type ReverseProxyHandle, startReverseProxy } from "./start-reverse-proxy.js";
