export { loadSettings, SettingsError } from "./config/load-settings.js";
export {
  type LogLevel,
  SETTINGS_VARIABLES,
  type Settings,
  type SettingsInput,
  settingsSchema,
} from "./config/settings-schema.js";
export { GatewayError, type GatewayErrorCode } from "./errors/gateway-error.js";
export { createGateway, type Gateway, type GatewayOptions } from "./gateway.js";
export type { VersionInfo } from "./health/version-info.js";
export { createLogger, type Logger } from "./observability/logger.js";
export { GATEWAY_VERSION } from "./version.js";
