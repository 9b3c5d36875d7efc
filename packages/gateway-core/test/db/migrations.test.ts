import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import type { DialectName } from "../../src/db/database-url.js";
import { migrateToLatest } from "../../src/db/migrations/migrate.js";
import { loadSettings } from "../../src/index.js";
import { createTestDatabase, describeEachDialect, type TestDatabase } from "../support/dialect-matrix.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

afterEach(stopAllProcesses);

const TABLES = [
  "a2a_agents",
  "bus_events",
  "cache_entries",
  "entity_versions",
  "federation_identity",
  "gateways",
  "leader_leases",
  "metrics",
  "prompts",
  "resources",
  "server_a2a_agents",
  "server_prompts",
  "server_resources",
  "server_tools",
  "servers",
  "tools",
];

function open(url: string): Database {
  return openDatabase(loadSettings({ DATABASE_URL: url, DB_POOL_SIZE: "4", DB_MAX_OVERFLOW: "0" }));
}

await describeEachDialect("migrations", (dialect: DialectName) => {
  let target: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    target = await createTestDatabase(dialect, "migrations");
    database = open(target.url);
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });

  it("migrates an empty database to head, then finds nothing to do", async () => {
    const first = await migrateToLatest(database.db, dialect);
    expect(first.applied).toEqual(first.known);
    expect(first.applied.length).toBeGreaterThan(0);
    const tables = (await database.db.introspection.getTables()).map((t) => t.name).sort();
    expect(tables).toEqual(expect.arrayContaining(TABLES));
    const second = await migrateToLatest(database.db, dialect);
    expect(second.applied).toEqual([]);
  });

  it("lets several processes migrate one database at once: each migration is applied exactly once", async () => {
    const fresh = await createTestDatabase(dialect, "concurrent");
    try {
      const runs = await Promise.all(
        [1, 2, 3].map(() =>
          startProcess(process.execPath, [CLI, "migrate"], {
            cwd: tmpdir(),
            env: { DATABASE_URL: fresh.url },
          }),
        ),
      );
      const codes = await Promise.all(runs.map((run) => run.exited()));
      const outputs = runs.map((run) => run.output());
      expect(codes, JSON.stringify(outputs)).toEqual([0, 0, 0]);
      const appliers = outputs.filter((o) => o.stdout.startsWith("applied "));
      expect(appliers).toHaveLength(1);
      expect(outputs.filter((o) => o.stdout.includes("is up to date"))).toHaveLength(2);
    } finally {
      await fresh.drop();
    }
  });

  it("stores booleans, JSON text, long text and enforces foreign keys", async () => {
    const now = new Date().toISOString();
    const row = {
      id: "g1",
      name: "Fast Time",
      slug: "fast-time",
      url: "http://127.0.0.1:8080/mcp",
      transport: "STREAMABLEHTTP",
      capabilities: JSON.stringify({ tools: { listChanged: true } }),
      description: "x".repeat(100_000),
      tags: "[]",
      enabled: true,
      reachable: false,
      visibility: "public",
      created_at: now,
      updated_at: now,
      version: 1,
      consecutive_failures: 0,
    };
    // Written without the columns of migration 0004, as code before it did: the defaults fill them.
    await database.db
      .insertInto("gateways")
      .values(
        row as typeof row & { session_mode: string; timeout_seconds: null; expose_original_names: boolean },
      )
      .execute();
    const stored = await database.db
      .selectFrom("gateways")
      .selectAll()
      .where("id", "=", "g1")
      .executeTakeFirstOrThrow();
    expect(Boolean(stored.enabled)).toBe(true);
    expect(Boolean(stored.reachable)).toBe(false);
    expect(stored.description).toHaveLength(100_000);
    expect(JSON.parse(stored.capabilities)).toEqual({ tools: { listChanged: true } });
    expect(stored.session_mode).toBe("auto");
    expect(stored.timeout_seconds).toBeNull();
    expect(Boolean(stored.expose_original_names)).toBe(false);

    const orphan = database.db
      .insertInto("server_tools")
      .values({ server_id: "no-such-server", tool_id: "no-such-tool" })
      .execute();
    await expect(orphan).rejects.toThrow();
    const count = await sql<{ n: number }>`select count(*) as n from server_tools`.execute(database.db);
    expect(Number(count.rows[0]?.n)).toBe(0);
  });
});
