export { splitCommandLine } from "@contextforge/mcp-transport";
export type { HeaderToEnv } from "./http/header-env.js";
export { LOG_LEVELS, type LogLevel, stderrLogger, type TranslateLogger } from "./logger.js";
export type { ExposeOptions } from "./options/expose-options.js";
export type { TranslateOptions } from "./options/translate-options.js";
export { createProgram, VERSION } from "./program.js";
export { startTranslate, type TranslateHandle, type TranslateUrls } from "./start-translate.js";
export { TranslateError, type TranslateErrorCode } from "./translate-error.js";
