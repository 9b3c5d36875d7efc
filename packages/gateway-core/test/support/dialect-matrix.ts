import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createMysqlDatabase,
  createPostgresSchema,
  type ServiceName,
  serviceAvailability,
} from "@contextforge/testing";
import { describe } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";

/** A fresh, empty database of one engine, owned by one test file. */
export interface TestDatabase {
  readonly dialect: DialectName;
  readonly url: string;
  drop(): Promise<void>;
}

const SERVICE: Record<Exclude<DialectName, "sqlite">, ServiceName> = { postgres: "postgres", mysql: "mysql" };
const availability = new Map<DialectName, Promise<string | undefined>>();

/** Why `dialect`'s engine cannot be used here (undefined when it can); throws on CI. */
function unavailable(dialect: DialectName): Promise<string | undefined> {
  if (dialect === "sqlite") return Promise.resolve(undefined);
  let probe = availability.get(dialect);
  if (!probe) {
    probe = serviceAvailability(SERVICE[dialect]).then((a) => (a.available ? undefined : a.reason));
    availability.set(dialect, probe);
  }
  return probe;
}

/** Creates an isolated database: a temp SQLite file, a PostgreSQL schema or a MariaDB database. */
export async function createTestDatabase(dialect: DialectName, label: string): Promise<TestDatabase> {
  switch (dialect) {
    case "sqlite": {
      const dir = mkdtempSync(join(tmpdir(), "cf-sqlite-"));
      return {
        dialect,
        url: `sqlite:///${join(dir, "mcp.db")}`,
        drop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    }
    case "postgres": {
      const schema = await createPostgresSchema({ label });
      return { dialect, url: schema.url, drop: () => schema.drop() };
    }
    case "mysql": {
      const database = await createMysqlDatabase({ label });
      return { dialect, url: database.url, drop: () => database.drop() };
    }
  }
}

const DIALECTS: readonly DialectName[] = ["sqlite", "postgres", "mysql"];

/**
 * Runs `suite` once per engine (SQLite, PostgreSQL, MariaDB), the same tests against each.
 * A suite whose engine is unreachable is skipped locally and fails on CI.
 */
export async function describeEachDialect(
  name: string,
  suite: (dialect: DialectName) => void,
): Promise<void> {
  for (const dialect of DIALECTS) {
    const reason = await unavailable(dialect);
    describe.skipIf(reason !== undefined)(`${name} [${dialect}]`, () => suite(dialect));
  }
}
