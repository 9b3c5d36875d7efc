import type { Migration } from "kysely/migration";
import type { DialectName } from "../database-url.js";
import { registryMigration } from "./2026-11-28-0001-registry.js";
import { stdioGatewaysMigration } from "./2026-11-28-0002-stdio-gateways.js";
import { serverOriginalNamesMigration } from "./2026-11-28-0003-server-original-names.js";
import { gatewaySessionOptionsMigration } from "./2026-11-28-0004-gateway-session-options.js";
import { authMigration } from "./2026-11-28-0005-auth.js";
import { cacheBusMigration } from "./2026-11-28-0006-cache-bus.js";
import { leaderLeaseMigration } from "./2026-11-28-0007-leader-lease.js";
import { federationMigration } from "./2026-11-28-0008-federation.js";
import { gatewayOriginalNamesMigration } from "./2026-11-28-0009-gateway-original-names.js";
import { columnTypes } from "./column-types.js";

/**
 * Every migration, registered statically (no directory scanning, so bundlers and tarballs
 * cannot drop one). Names sort in the order they must run.
 */
export function migrationsFor(dialect: DialectName): Record<string, Migration> {
  const types = columnTypes(dialect);
  return {
    "2026-11-28-0001-registry": registryMigration(types),
    "2026-11-28-0002-stdio-gateways": stdioGatewaysMigration(types, dialect),
    "2026-11-28-0003-server-original-names": serverOriginalNamesMigration,
    "2026-11-28-0004-gateway-session-options": gatewaySessionOptionsMigration(dialect),
    "2026-11-28-0005-auth": authMigration(types),
    "2026-11-28-0006-cache-bus": cacheBusMigration(types, dialect),
    "2026-11-28-0007-leader-lease": leaderLeaseMigration(dialect),
    "2026-11-28-0008-federation": federationMigration(dialect),
    "2026-11-28-0009-gateway-original-names": gatewayOriginalNamesMigration,
  };
}
