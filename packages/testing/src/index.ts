export { getFreePort } from "./free-port.js";
export {
  type ManagedProcess,
  type StartProcessOptions,
  startProcess,
  stopAllProcesses,
} from "./managed-process.js";
export {
  type CreateMysqlDatabaseOptions,
  createMysqlDatabase,
  type MysqlDatabase,
} from "./mysql-database.js";
export {
  type CreatePostgresSchemaOptions,
  createPostgresSchema,
  type PostgresSchema,
} from "./postgres-schema.js";
export {
  type CreateRedisNamespaceOptions,
  createRedisNamespace,
  type RedisNamespace,
} from "./redis-namespace.js";
export {
  isCi,
  type ServiceAvailability,
  type ServiceAvailabilityOptions,
  ServiceUnavailableError,
  serviceAvailability,
} from "./service-availability.js";
export { redactUrl, type ServiceName, serviceEnvVar, serviceLabel, serviceUrl } from "./service-url.js";
export { uniqueName } from "./unique-name.js";
export { waitForHttp } from "./wait-for-http.js";
