export { type BackoffOptions, backoffDelay, type ResolvedBackoff, resolveBackoff } from "./backoff.js";
export { buildChildEnvironment, DEFAULT_INHERITED_ENV } from "./child-environment.js";
export {
  type DecodedLine,
  encodeJsonRpcLine,
  JsonRpcLineDecoder,
  type JsonRpcLineDecoderOptions,
} from "./json-rpc-line-decoder.js";
export { CommandLineError, splitCommandLine } from "./split-command-line.js";
export { type ChildExit, StdioChild, type StdioChildOptions } from "./stdio-child.js";
export type { LeasedChild, StdioLease } from "./stdio-lease.js";
export { StdioLeaseTransport } from "./stdio-lease-transport.js";
export {
  type StdioServerSpec,
  StdioSupervisor,
  type StdioSupervisorOptions,
  type SupervisedProcessInfo,
} from "./stdio-supervisor.js";
export type { SupervisedProcessState } from "./supervised-process.js";
export {
  SupervisorError,
  type SupervisorErrorCode,
  type SupervisorErrorOptions,
} from "./supervisor-error.js";
export {
  encodeTunnelFrame,
  FATAL_CLOSE_CODES,
  parseTunnelFrame,
  TUNNEL_CLOSE_CODES,
  type TunnelFrame,
} from "./tunnel-frames.js";
