import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPasswordHasher, type PasswordHashCost } from "../../src/auth/passwords/password-hasher.js";
import { createPasswordPolicy } from "../../src/auth/passwords/password-policy.js";
import { ensureSystemRoles } from "../../src/auth/rbac/grant-repository.js";
import { INVALID_CREDENTIALS } from "../../src/auth/users/credential-verifier.js";
import { createUserService, type UserService } from "../../src/auth/users/user-service.js";
import { type Database, openDatabase } from "../../src/db/database.js";
import type { DialectName } from "../../src/db/database-url.js";
import { migrateToLatest } from "../../src/db/migrations/migrate.js";
import { GatewayError } from "../../src/errors/gateway-error.js";
import { loadSettings } from "../../src/index.js";
import { createTestDatabase, describeEachDialect, type TestDatabase } from "../support/dialect-matrix.js";

const CHEAP: PasswordHashCost = { timeCost: 1, memoryCost: 8192, parallelism: 1 };
const GOOD = "Analytical-Engine-1843";
const OTHER = "Difference-Engine-1822";

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

await describeEachDialect("user service", (dialect: DialectName) => {
  let target: TestDatabase;
  let database: Database;
  let changes = 0;
  const serviceWith = (
    cost: PasswordHashCost,
    admin: { email?: string; password?: string } = {},
  ): UserService =>
    createUserService({
      db: database.db,
      hasher: createPasswordHasher(cost),
      policy: createPasswordPolicy({ minLength: 12 }),
      settings: {
        MAX_FAILED_LOGIN_ATTEMPTS: 3,
        ACCOUNT_LOCKOUT_DURATION_MINUTES: 1,
        PLATFORM_ADMIN_EMAIL: admin.email ?? "Root@Example.com",
        PLATFORM_ADMIN_PASSWORD: admin.password ?? "changeme",
        PLATFORM_ADMIN_FULL_NAME: "Root",
      },
      logger: pino({ level: "silent" }),
      changed: () => {
        changes++;
      },
    });
  let users: UserService;
  const row = (email: string) =>
    database.db.selectFrom("email_users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();

  beforeAll(async () => {
    target = await createTestDatabase(dialect, "users");
    database = openDatabase(
      loadSettings({ DATABASE_URL: target.url, DB_POOL_SIZE: "4", DB_MAX_OVERFLOW: "0" }),
    );
    await migrateToLatest(database.db, dialect);
    await ensureSystemRoles(database.db);
    users = serviceWith(CHEAP);
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });

  it("creates the platform admin once, forced to change the development password, never overwriting it", async () => {
    expect(await users.ensurePlatformAdmin()).toBe("created");
    const admin = await users.get("root@example.com");
    expect(admin).toMatchObject({
      email: "root@example.com",
      is_admin: true,
      is_active: true,
      full_name: "Root",
    });
    expect(admin.password_change_required).toBe(true);
    const hash = (await row("root@example.com")).password_hash;
    // A restart with another password leaves the existing admin alone.
    expect(await serviceWith(CHEAP, { password: "Another-Strong-Pass-99" }).ensurePlatformAdmin()).toBe(
      "exists",
    );
    expect((await row("root@example.com")).password_hash).toBe(hash);
  });

  it("creates a user with a personal team it owns as team_admin, and never answers the hash", async () => {
    const before = changes;
    const user = await users.create(
      { email: "  Ada@Example.COM ", password: GOOD, full_name: "Ada" },
      "root@example.com",
    );
    expect(user).toEqual({
      email: "ada@example.com",
      full_name: "Ada",
      is_admin: false,
      is_active: true,
      auth_provider: "local",
      created_at: expect.any(String),
      last_login: null,
      password_change_required: false,
    });
    expect(JSON.stringify(user)).not.toContain("argon2");
    expect(changes).toBe(before + 1);
    expect((await row("ada@example.com")).password_hash).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);

    const team = await database.db
      .selectFrom("email_teams")
      .selectAll()
      .where("created_by", "=", "ada@example.com")
      .executeTakeFirstOrThrow();
    expect(team).toMatchObject({ slug: "personal-ada-example-com", visibility: "private" });
    expect(Boolean(team.is_personal)).toBe(true);
    const member = await database.db
      .selectFrom("email_team_members")
      .selectAll()
      .where("team_id", "=", team.id)
      .executeTakeFirstOrThrow();
    expect(member).toMatchObject({ user_email: "ada@example.com", role: "owner" });
    const grant = await database.db
      .selectFrom("user_roles")
      .innerJoin("roles", "roles.id", "user_roles.role_id")
      .select(["roles.name", "user_roles.scope", "user_roles.scope_id", "user_roles.granted_by"])
      .where("user_roles.user_email", "=", "ada@example.com")
      .executeTakeFirstOrThrow();
    expect(grant).toEqual({
      name: "team_admin",
      scope: "team",
      scope_id: team.id,
      granted_by: "root@example.com",
    });
  });

  it("refuses a taken email (any case) with 409 and a weak password with 422, storing nothing", async () => {
    expect((await rejection(users.create({ email: "ADA@example.com", password: OTHER }))).status).toBe(409);
    const weak = await rejection(users.create({ email: "weak@example.com", password: "password1234" }));
    expect(weak.status).toBe(422);
    expect(weak.issues).toEqual([
      { loc: ["body", "password"], msg: "is too common", type: "password_policy" },
    ]);
    expect((await rejection(users.create({ email: "not an email", password: GOOD }))).status).toBe(422);
    const stored = await database.db.selectFrom("email_users").select("email").execute();
    expect(stored.map((u) => u.email).sort()).toEqual(["ada@example.com", "root@example.com"]);
  });

  it("lists users page by page in creation order", async () => {
    await users.create({ email: "bob@example.com", password: GOOD });
    await users.create({ email: "cy@example.com", password: GOOD });
    const first = await users.list({ limit: 2, cursor: undefined });
    expect(first.items.map((u) => u.email)).toEqual(["root@example.com", "ada@example.com"]);
    expect(first.nextCursor).not.toBeNull();
    const second = await users.list({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((u) => u.email)).toEqual(["bob@example.com", "cy@example.com"]);
    expect(second.nextCursor).toBeNull();
  });

  it("updates a user and refuses to demote, deactivate or delete the last active admin", async () => {
    const updated = await users.update("bob@example.com", {
      full_name: "Bob B",
      password_change_required: true,
    });
    expect(updated).toMatchObject({ full_name: "Bob B", password_change_required: true });
    for (const attempt of [
      () => users.update("root@example.com", { is_admin: false }),
      () => users.update("root@example.com", { is_active: false }),
      () => users.delete("root@example.com", "someone@example.com"),
    ]) {
      const error = await rejection(attempt());
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/last remaining active admin/);
    }
    expect((await rejection(users.delete("root@example.com", "ROOT@example.com"))).message).toBe(
      "Cannot delete your own account",
    );
    // With a second admin, the first may be demoted.
    await users.update("cy@example.com", { is_admin: true });
    await users.update("cy@example.com", { is_admin: false });
    expect((await rejection(users.get("nobody@example.com"))).status).toBe(404);
  });

  it("deletes a user with its memberships, grants and tokens; its personal team is deactivated", async () => {
    await database.db
      .insertInto("email_api_tokens")
      .values({
        id: "tok1",
        user_email: "cy@example.com",
        team_id: null,
        name: "ci",
        description: null,
        jti: "jti-of-cy",
        token_hash: "0".repeat(64),
        server_id: null,
        resource_scopes: "[]",
        ip_restrictions: "[]",
        public_only: false,
        tags: "[]",
        created_at: new Date().toISOString(),
        expires_at: null,
        last_used: null,
        is_active: true,
      })
      .execute();
    await users.delete("cy@example.com", "root@example.com");
    const count = async (table: "email_team_members" | "user_roles" | "email_api_tokens") =>
      (
        await database.db
          .selectFrom(table)
          .select("user_email")
          .where("user_email", "=", "cy@example.com")
          .execute()
      ).length;
    expect(await count("email_team_members")).toBe(0);
    expect(await count("user_roles")).toBe(0);
    expect(await count("email_api_tokens")).toBe(0);
    const revoked = await database.db
      .selectFrom("token_revocations")
      .selectAll()
      .where("jti", "=", "jti-of-cy")
      .executeTakeFirstOrThrow();
    expect(revoked).toMatchObject({ revoked_by: "root@example.com", reason: "user deleted" });
    const team = await database.db
      .selectFrom("email_teams")
      .select("is_active")
      .where("created_by", "=", "cy@example.com")
      .executeTakeFirstOrThrow();
    expect(Boolean(team.is_active)).toBe(false);
    expect((await rejection(users.get("cy@example.com"))).status).toBe(404);
    // The email can be used again; the new personal team gets a fresh slug.
    await users.create({ email: "cy@example.com", password: GOOD });
  });

  it("logs in, and answers the same 401 for an unknown user, a wrong password and an inactive account", async () => {
    const user = await users.authenticate("Ada@example.com", GOOD);
    expect(user.email).toBe("ada@example.com");
    expect(user.last_login).not.toBeNull();
    await users.create({ email: "dora@example.com", password: GOOD, is_active: false });
    for (const [email, password] of [
      ["ghost@example.com", GOOD],
      ["ada@example.com", OTHER],
      ["dora@example.com", GOOD],
    ] as const) {
      const error = await rejection(users.authenticate(email, password));
      expect([error.status, error.message], email).toEqual([401, INVALID_CREDENTIALS]);
    }
    expect((await row("ada@example.com")).failed_login_attempts).toBe(1);
  });

  it("locks after N failures in a row, says so only to the right password, and unlocks after the duration", async () => {
    await users.authenticate("bob@example.com", GOOD); // a success resets the count
    for (let i = 0; i < 3; i++) {
      expect((await rejection(users.authenticate("bob@example.com", OTHER))).status).toBe(401);
    }
    const locked = await row("bob@example.com");
    expect(locked.locked_until).not.toBeNull();
    expect(locked.failed_login_attempts).toBe(0);
    // A guesser learns nothing: a wrong password is the usual 401.
    expect((await rejection(users.authenticate("bob@example.com", OTHER))).message).toBe(INVALID_CREDENTIALS);
    const right = await rejection(users.authenticate("bob@example.com", GOOD));
    expect(right.status).toBe(403);
    expect(right.message).toMatch(/locked/);

    // The lock has run out (moved into the past rather than waiting a minute).
    await database.db
      .updateTable("email_users")
      .set({ locked_until: new Date(Date.now() - 1000).toISOString() })
      .where("email", "=", "bob@example.com")
      .execute();
    expect((await users.authenticate("bob@example.com", GOOD)).email).toBe("bob@example.com");
    const unlocked = await row("bob@example.com");
    expect([unlocked.locked_until, unlocked.failed_login_attempts]).toEqual([null, 0]);
  });

  it("rehashes a password made with old cost parameters at the next login", async () => {
    const stronger = serviceWith({ ...CHEAP, timeCost: 2 });
    await stronger.authenticate("ada@example.com", GOOD);
    expect((await row("ada@example.com")).password_hash).toMatch(/^\$argon2id\$v=19\$m=8192,t=2,p=1\$/);
    await users.authenticate("ada@example.com", GOOD);
  });

  it("changes a password with the current one, clears the forced change, and applies the policy", async () => {
    expect(
      (await rejection(users.changePassword("root@example.com", "wrong-password-here", GOOD))).status,
    ).toBe(401);
    const weak = await rejection(users.changePassword("root@example.com", "changeme", "qwerty"));
    expect(weak.status).toBe(422);
    expect(weak.issues?.[0]?.loc).toEqual(["body", "new_password"]);
    await users.changePassword("root@example.com", "changeme", GOOD);
    expect((await users.get("root@example.com")).password_change_required).toBe(false);
    await users.authenticate("root@example.com", GOOD);
    expect((await rejection(users.authenticate("root@example.com", "changeme"))).status).toBe(401);
  });
});

// Hashing cost, not the engine, is what this measures: one run, on SQLite in memory.
describe("user service: login timing", () => {
  let database: Database;
  beforeAll(async () => {
    database = openDatabase(loadSettings({ DATABASE_URL: "sqlite:///:memory:" }));
    await migrateToLatest(database.db, "sqlite");
    await ensureSystemRoles(database.db);
  });
  afterAll(() => database?.close());

  it("spends as long on an unknown user as on a wrong password", async () => {
    const costly = createUserService({
      db: database.db,
      hasher: createPasswordHasher({ timeCost: 3, memoryCost: 32_768, parallelism: 1 }),
      policy: createPasswordPolicy({ minLength: 12 }),
      settings: {
        MAX_FAILED_LOGIN_ATTEMPTS: 100,
        ACCOUNT_LOCKOUT_DURATION_MINUTES: 1,
        PLATFORM_ADMIN_EMAIL: "root@example.com",
        PLATFORM_ADMIN_PASSWORD: "changeme",
        PLATFORM_ADMIN_FULL_NAME: "Root",
      },
      logger: pino({ level: "silent" }),
      changed: () => {},
    });
    await costly.create({ email: "cy@example.com", password: GOOD });
    await rejection(costly.authenticate("ghost@example.com", OTHER)); // makes the dummy hash once
    const time = async (email: string): Promise<number> => {
      const started = performance.now();
      await rejection(costly.authenticate(email, OTHER));
      return performance.now() - started;
    };
    const unknown = Math.min(await time("ghost@example.com"), await time("ghost2@example.com"));
    const wrong = Math.min(await time("cy@example.com"), await time("cy@example.com"));
    // A verification costs milliseconds here; answering an unknown user without one would be far faster.
    expect(unknown).toBeGreaterThan(wrong * 0.5);
  });
});
