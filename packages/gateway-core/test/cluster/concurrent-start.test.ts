import { serviceAvailability } from "@contextforge/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { createTestDatabase, type TestDatabase } from "../support/dialect-matrix.js";

// Replicas of a new deployment start at the same moment on an empty database: every one of them
// must come up (migrations, system roles, the platform admin, the federation identity).

const postgres = await serviceAvailability("postgres");

describe.skipIf(!postgres.available)("replicas starting together on a fresh database", () => {
  const gateways: Gateway[] = [];
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.allSettled(gateways.map((gateway) => gateway.stop()));
    await Promise.allSettled(databases.map((database) => database.drop()));
  });

  it("all start, with one set of system roles, one admin and one federation id", async () => {
    for (let round = 0; round < 3; round++) {
      const database = await createTestDatabase("postgres", `concurrent-start-${round}`);
      databases.push(database);
      const started = Array.from({ length: 4 }, () =>
        createGateway({
          settings: loadSettings({
            DATABASE_URL: database.url,
            DB_POOL_SIZE: "2",
            DB_MAX_OVERFLOW: "0",
            PORT: "0",
            LOG_LEVEL: "silent",
            JWT_SECRET_KEY: "concurrent-start-secret-concurrent",
            AUTH_ENCRYPTION_SECRET: "concurrent-start-secret-concurrent",
            HEALTH_CHECK_INTERVAL: "0",
          }),
        }),
      );
      gateways.push(...started);
      const outcomes = await Promise.allSettled(started.map((gateway) => gateway.start()));
      expect(outcomes.map((o) => (o.status === "rejected" ? String(o.reason) : "started"))).toEqual([
        "started",
        "started",
        "started",
        "started",
      ]);
      expect(new Set(started.map((gateway) => gateway.federationId)).size).toBe(1);
      const db = started[0]?.database.db;
      const roles = await db
        ?.selectFrom("roles")
        .select(["name", "scope"])
        .where("is_system_role", "=", true)
        .execute();
      expect(new Set(roles?.map((r) => `${r.name}/${r.scope}`)).size).toBe(roles?.length);
      const admins = await db
        ?.selectFrom("email_users")
        .select("email")
        .where("is_admin", "=", true)
        .execute();
      expect(admins).toHaveLength(1);
      await Promise.allSettled(started.map((gateway) => gateway.stop()));
    }
  });
});
