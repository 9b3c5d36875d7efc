export {
  type RunningHttpServer,
  type StartHttpServerOptions,
  startHttpServer,
} from "./http/start-http-server.js";
export { type CompareTimesArgs, renderCompareTimes } from "./mcp/compare-times-prompt.js";
export { createFastTimeServer, type FastTimeServerOptions } from "./mcp/fast-time-server.js";
export { TIMEZONES_RESOURCE_URI } from "./mcp/timezones-resource.js";
export { type ConvertTimeInput, convertTime, type TimeConversion } from "./time/convert-time.js";
export { getSystemTime } from "./time/system-time.js";
export { TimeInputError, type TimeInputErrorCode } from "./time/time-input-error.js";
export type { ZoneSnapshot } from "./time/zone-snapshot.js";
