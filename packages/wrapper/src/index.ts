export { LOG_LEVELS, type LogLevel, stderrLogger, type WrapperLogger } from "./logger.js";
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_TIMEOUT_SECONDS,
  type WrapperOptions,
} from "./options/wrapper-options.js";
export { createProgram, VERSION } from "./program.js";
export { startWrapper, type WrapperHandle, type WrapperStdio } from "./start-wrapper.js";
export { RemoteHttpError, WrapperError, type WrapperErrorCode } from "./wrapper-error.js";
