export { canSee, may, mayCreate, type Ownership } from "./auth/access.js";
export type { AuthModule } from "./auth/auth-module.js";
export { PERMISSIONS, type Permission, SYSTEM_ROLES } from "./auth/permissions.js";
export type { AuthMethod, Principal, TokenScope } from "./auth/principal.js";
export { BUS_TOPICS, type Bus, type BusHandler } from "./cache/bus.js";
export type { Cache } from "./cache/cache.js";
export {
  type DevSecretsResult,
  provideDevelopmentSecrets,
} from "./config/dev-secrets.js";
export { loadEnvFile, resolveEnvironment } from "./config/env-file.js";
export { loadSettings, SettingsError } from "./config/load-settings.js";
export { maskSettings } from "./config/mask-values.js";
export {
  type CacheType,
  type JwtAlgorithm,
  type LogLevel,
  SECRET_VARIABLES,
  SETTINGS_GROUPS,
  SETTINGS_VARIABLES,
  type Settings,
  type SettingsInput,
  settingsJsonSchema,
  settingsSchema,
  type ToolNameSeparator,
} from "./config/settings-schema.js";
export { loadStartupSettings, type StartupSettings } from "./config/startup-settings.js";
export type { Database } from "./db/database.js";
export type { DialectName } from "./db/database-url.js";
export { GatewayError, type GatewayErrorCode, type ValidationIssue } from "./errors/gateway-error.js";
export type { GatewayHealthOutcome, HealthRound } from "./federation/health-check.js";
export { createGateway, type Gateway, type GatewayOptions } from "./gateway.js";
export type { VersionInfo } from "./health/version-info.js";
export type { RegistryServices } from "./http/app.js";
export { createLogger, type Logger } from "./observability/logger.js";
export type {
  GatewayCreate,
  GatewayHealthStatus,
  GatewayRead,
  GatewayRefreshResult,
  GatewaySessionMode,
} from "./registry/gateways/gateway-schema.js";
export type { PromptCreate, PromptRead } from "./registry/prompts/prompt-schema.js";
export type { ResourceCreate, ResourceRead } from "./registry/resources/resource-schema.js";
export type { ServerCreate, ServerRead } from "./registry/servers/server-schema.js";
export { exposedToolName, slugify } from "./registry/tools/exposed-tool-name.js";
export type { ToolCreate, ToolRead } from "./registry/tools/tool-schema.js";
export { GATEWAY_VERSION } from "./version.js";
