import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { describeEachDialect } from "../support/dialect-matrix.js";
import { createTestGateway, type TestGateway } from "../support/test-gateway.js";

// Cheap hashing where cost does not matter; a 3-failure lockout of one minute.
const ENV = {
  ARGON2ID_MEMORY_COST: "8192",
  ARGON2ID_TIME_COST: "1",
  MAX_FAILED_LOGIN_ATTEMPTS: "3",
  ACCOUNT_LOCKOUT_DURATION_MINUTES: "1",
};
const ADMIN = "admin@example.com";
const GOOD = "Analytical-Engine-1843";
const NEW_ADMIN_PASSWORD = "Babbage-Difference-1822";

interface LoginAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
  user: Record<string, unknown>;
}

async function send(
  t: TestGateway,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return t.gateway.app.request(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

async function login(
  t: TestGateway,
  email: string,
  password: string,
  path = "/auth/email/login",
): Promise<Response> {
  return send(t, "POST", path, undefined, { email, password });
}

async function sessionOf(t: TestGateway, email: string, password: string): Promise<string> {
  const response = await login(t, email, password);
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as LoginAnswer).access_token;
}

await describeEachDialect("REST API /auth (users, login)", (dialect: DialectName) => {
  let t: TestGateway;
  const userCount = async () =>
    (await t.gateway.database.db.selectFrom("email_users").select("email").execute()).length;

  beforeAll(async () => {
    t = await createTestGateway(dialect, "users-api", ENV);
  });
  afterAll(() => t?.close());

  it("logs the bootstrap admin in with a session token that may only change the password", async () => {
    const response = await login(t, "  Admin@Example.com", "changeme");
    expect(response.status).toBe(200);
    const answer = (await response.json()) as LoginAnswer;
    expect(answer).toMatchObject({ token_type: "bearer", expires_in: 10080 * 60 });
    expect(answer.user).toEqual({
      email: ADMIN,
      full_name: "Platform Administrator",
      is_admin: true,
      is_active: true,
      auth_provider: "local",
      created_at: expect.any(String),
      last_login: expect.any(String),
      password_change_required: true,
    });
    expect(JSON.stringify(answer)).not.toMatch(/argon2|changeme|password_hash/);
    const claims = decodeJwt(answer.access_token);
    expect(claims).toMatchObject({ sub: ADMIN, token_use: "session" });
    expect(typeof claims.jti).toBe("string");

    const session = answer.access_token;
    const blocked = await send(t, "GET", "/tools", session);
    expect(blocked.status).toBe(403);
    expect(((await blocked.json()) as { detail: string }).detail).toMatch(/Password change required/);
    expect((await send(t, "GET", "/auth/email/admin/users", session)).status).toBe(403);
    expect((await send(t, "GET", "/auth/email/me", session)).status).toBe(200);

    const changed = await send(t, "POST", "/auth/email/change-password", session, {
      old_password: "changeme",
      new_password: NEW_ADMIN_PASSWORD,
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ success: true, message: "Password changed successfully" });
    // The same session works everywhere now.
    expect((await send(t, "GET", "/tools", session)).status).toBe(200);
    const me = (await (await send(t, "GET", "/auth/email/me", session)).json()) as Record<string, unknown>;
    expect(me.password_change_required).toBe(false);
  });

  it("answers the same 401 for an unknown user and a wrong password, on both login paths", async () => {
    const answers = [
      await login(t, "nobody@example.com", GOOD),
      await login(t, ADMIN, "wrong-password-entirely"),
      await login(t, "nobody@example.com", GOOD, "/auth/login"),
      await send(t, "POST", "/auth/login", undefined, { username: "not-an-email", password: GOOD }),
    ];
    for (const response of answers) {
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ detail: "Invalid email or password", code: "unauthorized" });
    }
    // `/auth/login` is an alias that also takes ContextForge's `username` field.
    const alias = await send(t, "POST", "/auth/login", undefined, {
      username: ADMIN,
      password: NEW_ADMIN_PASSWORD,
    });
    expect(alias.status).toBe(200);
  });

  it("lets an administrator manage users; everyone else gets 403", async () => {
    const created = await t.json<Record<string, unknown>>("POST", "/auth/email/admin/users", {
      email: "Dev@Example.com",
      password: GOOD,
      full_name: "Dev One",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: "dev@example.com",
      is_admin: false,
      password_change_required: false,
    });

    const dev = await sessionOf(t, "dev@example.com", GOOD);
    for (const [method, path, body] of [
      ["GET", "/auth/email/admin/users", undefined],
      ["POST", "/auth/email/admin/users", { email: "x@example.com", password: GOOD }],
      ["GET", `/auth/email/admin/users/${ADMIN}`, undefined],
      ["PUT", "/auth/email/admin/users/dev@example.com", { is_admin: true }],
      ["DELETE", `/auth/email/admin/users/${ADMIN}`, undefined],
      ["POST", "/auth/email/register", { email: "y@example.com", password: GOOD }],
    ] as const) {
      expect((await send(t, method, path, dev, body)).status, `${method} ${path}`).toBe(403);
    }
    expect(await userCount()).toBe(2);

    const list = await t.json<{ email: string }[]>("GET", "/auth/email/admin/users");
    expect(list.body.map((u) => u.email)).toEqual([ADMIN, "dev@example.com"]);
    const page = await t.json<{ users: unknown[]; nextCursor: string | null }>(
      "GET",
      "/auth/email/admin/users?limit=1&include_pagination=true",
    );
    expect(page.body.users).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));

    const updated = await t.json<Record<string, unknown>>("PUT", "/auth/email/admin/users/dev@example.com", {
      fullName: "Dev Renamed",
    });
    expect(updated.body).toMatchObject({ full_name: "Dev Renamed" });
    expect((await t.json("GET", "/auth/email/admin/users/ghost@example.com")).status).toBe(404);

    const registered = await t.json<Record<string, unknown>>("POST", "/auth/email/register", {
      email: "reg@example.com",
      password: GOOD,
    });
    expect(registered.status).toBe(201);
    const deleted = await t.json("DELETE", "/auth/email/admin/users/reg@example.com");
    expect(deleted.body).toEqual({ success: true, message: "User reg@example.com has been deleted" });
    expect(await userCount()).toBe(2);
  });

  it("locks an account after repeated failures and lets it in again once the lock has run out", async () => {
    for (let i = 0; i < 3; i++)
      expect((await login(t, "dev@example.com", "not-the-password")).status).toBe(401);
    const wrong = await login(t, "dev@example.com", "not-the-password");
    expect(await wrong.json()).toEqual({ detail: "Invalid email or password", code: "unauthorized" });
    const locked = await login(t, "dev@example.com", GOOD);
    expect(locked.status).toBe(403);
    expect(((await locked.json()) as { detail: string }).detail).toMatch(/locked/);

    await t.gateway.database.db
      .updateTable("email_users")
      .set({ locked_until: new Date(Date.now() - 1000).toISOString() })
      .where("email", "=", "dev@example.com")
      .execute();
    expect((await login(t, "dev@example.com", GOOD)).status).toBe(200);
  });

  it("revokes the session at logout", async () => {
    const session = await sessionOf(t, "dev@example.com", GOOD);
    const { jti, exp } = decodeJwt(session);
    const out = await send(t, "POST", "/auth/logout", session);
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ message: "Logged out successfully", revoked_token: jti });
    const row = await t.gateway.database.db
      .selectFrom("token_revocations")
      .selectAll()
      .where("jti", "=", jti ?? "")
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ revoked_by: "dev@example.com", reason: "logout" });
    expect(row.expires_at).toBe(new Date((exp ?? 0) * 1000).toISOString());
    expect((await send(t, "GET", "/auth/email/me", session)).status).toBe(401);
  });

  it("refuses bad input with 400/415/422 and stores nothing", async () => {
    const before = await userCount();
    const raw = (body: string, type = "application/json") =>
      t.request("POST", "/auth/email/admin/users", body, { "content-type": type });
    expect((await raw("{not json")).status).toBe(400);
    expect((await raw("email=a@b.c", "application/x-www-form-urlencoded")).status).toBe(415);
    for (const body of [
      {},
      { email: "ok@example.com" },
      { password: GOOD },
      { email: "<script>alert(1)</script>@example.com", password: GOOD },
      { email: "x@example.com'; DROP TABLE email_users; --", password: GOOD },
      { email: "ok@example.com", password: GOOD, full_name: "<img src=x onerror=alert(1)>" },
      { email: "ok@example.com", password: GOOD, role: "platform_admin" },
      { email: "ok@example.com", password: "short" },
      { email: "ok@example.com", password: 12345678901234 },
    ]) {
      const response = await t.json<{ detail: unknown; code: string }>(
        "POST",
        "/auth/email/admin/users",
        body,
      );
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.body.code).toBe("validation_failed");
      expect(Array.isArray(response.body.detail)).toBe(true);
    }
    expect((await send(t, "POST", "/auth/email/login", undefined, "{")).status).toBe(400);
    expect((await send(t, "POST", "/auth/email/login", undefined, { email: ADMIN })).status).toBe(422);
    expect(
      (await send(t, "POST", "/auth/email/login", undefined, { email: ADMIN, password: "x".repeat(300) }))
        .status,
    ).toBe(422);
    const huge = { email: ADMIN, password: "p", padding: "x".repeat(20_000) };
    expect((await send(t, "POST", "/auth/email/login", undefined, huge)).status).toBe(413);
    expect(await userCount()).toBe(before);
  });

  it("keeps an existing admin across a restart (the bootstrap never overwrites it)", async () => {
    t = await t.restart();
    expect((await login(t, ADMIN, NEW_ADMIN_PASSWORD)).status).toBe(200);
    expect((await login(t, ADMIN, "changeme")).status).toBe(401);
  });
});

describe("email login switched off, default argon2id parameters", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await createTestGateway("sqlite", "users-defaults", { EMAIL_AUTH_ENABLED: "false" });
  });
  afterAll(() => t?.close());

  it("stores the bootstrap admin's hash with m=64 MiB, t=3, p=1", async () => {
    const row = await t.gateway.database.db
      .selectFrom("email_users")
      .select("password_hash")
      .where("email", "=", ADMIN)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=1\$/);
  });

  it("answers 403 to a login when EMAIL_AUTH_ENABLED is off", async () => {
    const response = await login(t, ADMIN, "changeme");
    expect(response.status).toBe(403);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/disabled/);
  });
});
