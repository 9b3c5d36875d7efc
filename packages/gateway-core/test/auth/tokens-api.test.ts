import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { callerAs, callWith } from "../support/api-caller.js";
import { addMember, seedTeam, seedUser } from "../support/auth-fixtures.js";
import { describeEachDialect } from "../support/dialect-matrix.js";
import { createTestGateway, type TestGateway } from "../support/test-gateway.js";

// /tokens through the HTTP app: a token is shown once and stored as a hash, never widens its
// owner's rights, and stops working on the next request once revoked or expired; IP and server
// scopes are enforced by the authenticator and the MCP edges, checked here end to end.

type Json = Record<string, unknown>;
interface TokenRead extends Json {
  id: string;
  name: string;
  user_email: string;
  team_id: string | null;
  server_id: string | null;
  resource_scopes: string[];
  ip_restrictions: string[];
  expires_at: string | null;
  is_active: boolean;
  is_revoked: boolean;
}
interface Created {
  token: TokenRead;
  access_token: string;
}
interface Page {
  tokens: TokenRead[];
  total: number;
  limit: number;
  offset: number;
}

const ADMIN = "admin@example.com";
const ALICE = "alice@example.com";
const BOB = "bob@example.com";
const FAST_HASHING = { ARGON2ID_MEMORY_COST: "8192", ARGON2ID_TIME_COST: "1" };

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

await describeEachDialect("REST API /tokens", (dialect: DialectName) => {
  let t: TestGateway;
  let teamA: string;
  let teamB: string;

  const as = callerAs(() => t.gateway);
  const db = () => t.gateway.database.db;
  const tokenCount = async () =>
    Number(
      (
        await db()
          .selectFrom("email_api_tokens")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const create = (email: string, body: Json) => as<Created>(email, "POST", "/tokens", body);

  beforeAll(async () => {
    t = await createTestGateway(dialect, "tokens", FAST_HASHING);
    await seedUser(db(), ALICE);
    await seedUser(db(), BOB);
    teamA = await seedTeam(db(), "team-a", ALICE);
    teamB = await seedTeam(db(), "team-b", BOB);
    await addMember(db(), teamA, BOB, "viewer");
    t.gateway.auth.changed();
  });
  afterAll(() => t?.close());

  it("shows a new token once and stores only its SHA-256", async () => {
    const { status, body } = await create(ALICE, {
      name: "ci-deploy",
      description: "deploys from CI",
      expires_in_days: 30,
      tags: ["CI", "deploy"],
    });
    expect(status).toBe(201);
    expect(body.token).toMatchObject({
      name: "ci-deploy",
      description: "deploys from CI",
      user_email: ALICE,
      team_id: null,
      server_id: null,
      resource_scopes: [],
      ip_restrictions: [],
      public_only: false,
      is_active: true,
      is_revoked: false,
      last_used: null,
      tags: ["ci", "deploy"],
    });
    const days = (Date.parse(body.token.expires_at ?? "") - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect(body.access_token.split(".")).toHaveLength(3);

    const row = await db()
      .selectFrom("email_api_tokens")
      .selectAll()
      .where("id", "=", body.token.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(sha256(body.access_token));
    expect(JSON.stringify(row)).not.toContain(body.access_token);
    const claims = JSON.parse(
      Buffer.from(body.access_token.split(".")[1] ?? "", "base64url").toString(),
    ) as Json;
    expect(claims).toMatchObject({ sub: ALICE, jti: row.jti, token_use: "api" });

    // The token works, and the lists and reads never show it again.
    expect((await callWith(t.gateway, body.access_token, "GET", "/tools")).status).toBe(200);
    const list = await as<Page>(ALICE, "GET", "/tokens");
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, limit: 50, offset: 0 });
    expect(list.body.tokens.map((token) => token.id)).toEqual([body.token.id]);
    const one = await as(ALICE, "GET", `/tokens/${body.token.id}`);
    for (const answer of [list, one]) {
      expect(JSON.stringify(answer.body)).not.toContain(body.access_token);
      expect(JSON.stringify(answer.body)).not.toContain(row.token_hash);
      expect(JSON.stringify(answer.body)).not.toContain(row.jti);
    }
  });

  it("refuses a second token with the same name (409) but allows it for another user", async () => {
    expect((await create(ALICE, { name: "ci-deploy", expires_in_days: 1 })).status).toBe(409);
    expect((await create(BOB, { name: "ci-deploy", expires_in_days: 1 })).status).toBe(201);
  });

  it("never widens its owner's rights: permissions it lacks and teams it is not in are refused", async () => {
    const before = await tokenCount();
    const tooMuch = await create(ALICE, {
      name: "admin-ish",
      expires_in_days: 1,
      scope: { permissions: ["admin.user_management"] },
    });
    expect(tooMuch.status).toBe(403);
    expect(JSON.stringify(tooMuch.body)).toContain("admin.user_management");
    // Bob only views team A: he holds tools.read there, not tools.create.
    const viewer = await create(BOB, {
      name: "a-writer",
      expires_in_days: 1,
      team_id: teamA,
      scope: { permissions: ["tools.create"] },
    });
    expect(viewer.status).toBe(403);
    expect((await create(ALICE, { name: "b-token", expires_in_days: 1, team_id: teamB })).status).toBe(403);
    expect(await tokenCount()).toBe(before);

    const narrow = await create(ALICE, {
      name: "a-reader",
      expires_in_days: 1,
      team_id: teamA,
      scope: { permissions: ["tools.read"] },
    });
    expect(narrow.status).toBe(201);
    expect(narrow.body.token).toMatchObject({ team_id: teamA, resource_scopes: ["tools.read"] });
    const mine = await callWith<string[]>(t.gateway, narrow.body.access_token, "GET", "/rbac/my/permissions");
    expect(mine.body).toEqual(["tools.read"]);
    // The admin may bind a token to any team.
    expect((await create(ADMIN, { name: "b-admin", expires_in_days: 1, team_id: teamB })).status).toBe(201);
  });

  it("answers bad input with 422 and stores nothing", async () => {
    const before = await tokenCount();
    const bad: Json[] = [
      { name: "x", expires_in_days: 1, scope: { permissions: ["tools.fly"] } },
      { name: "x", expires_in_days: 1, scope: { ip_restrictions: ["10.0.0.0/33"] } },
      { name: "x", expires_in_days: 1, scope: { ip_restrictions: ["not-an-address"] } },
      { name: "x", expires_in_days: 1, scope: { time_restrictions: { business_hours: true } } },
      { name: "<script>alert(1)</script>", expires_in_days: 1 },
      { name: "x'; DROP TABLE email_api_tokens; --", expires_in_days: 1 },
      { name: "", expires_in_days: 1 },
      { name: "x", expires_in_days: 0 },
      { name: "x", expires_in_days: 1, scope: { server_id: "no-such-server" } },
      { name: "x", expires_in_days: 1, unknown_field: true },
      // REQUIRE_TOKEN_EXPIRATION is on by default: a token must expire.
      { name: "x" },
      { name: "x", expires_in_days: null },
    ];
    for (const body of bad) {
      const answer = await create(ALICE, body);
      expect(answer.status, JSON.stringify(body)).toBe(422);
    }
    expect((await as(ALICE, "POST", "/tokens", "{not json")).status).toBe(400);
    const huge = await as(ALICE, "POST", "/tokens", {
      name: "x",
      expires_in_days: 1,
      description: "x".repeat(20_000),
    });
    expect(huge.status).toBe(413);
    expect(await tokenCount()).toBe(before);
  });

  it("lets no API token manage tokens, not even its own owner's", async () => {
    const { body } = await create(ALICE, { name: "leaky", expires_in_days: 1 });
    const before = await tokenCount();
    const minted = await callWith(t.gateway, body.access_token, "POST", "/tokens", {
      name: "child",
      expires_in_days: 1,
    });
    expect(minted.status).toBe(403);
    expect((await callWith(t.gateway, body.access_token, "GET", "/tokens")).status).toBe(403);
    expect((await callWith(t.gateway, body.access_token, "DELETE", `/tokens/${body.token.id}`)).status).toBe(
      403,
    );
    expect(await tokenCount()).toBe(before);
  });

  it("revokes a token: the next request with it is a 401, and the revocation is recorded", async () => {
    const { body } = await create(ALICE, { name: "short-lived", expires_in_days: 2 });
    expect((await callWith(t.gateway, body.access_token, "GET", "/tools")).status).toBe(200);
    // Someone else's token does not exist for Bob.
    expect((await as(BOB, "DELETE", `/tokens/${body.token.id}`)).status).toBe(404);
    expect((await as(BOB, "GET", `/tokens/${body.token.id}`)).status).toBe(404);

    const revoked = await as(ALICE, "DELETE", `/tokens/${body.token.id}`, { reason: "laptop lost" });
    expect(revoked.status).toBe(204);
    expect((await callWith(t.gateway, body.access_token, "GET", "/tools")).status).toBe(401);

    const row = await db()
      .selectFrom("email_api_tokens")
      .selectAll()
      .where("id", "=", body.token.id)
      .executeTakeFirstOrThrow();
    expect(row.is_active === true || row.is_active === 1).toBe(false);
    const revocation = await db()
      .selectFrom("token_revocations")
      .selectAll()
      .where("jti", "=", row.jti)
      .executeTakeFirstOrThrow();
    expect(revocation).toMatchObject({
      revoked_by: ALICE,
      reason: "laptop lost",
      expires_at: row.expires_at,
    });

    const active = await as<Page>(ALICE, "GET", "/tokens");
    expect(active.body.tokens.map((token) => token.id)).not.toContain(body.token.id);
    const all = await as<Page>(ALICE, "GET", "/tokens?include_inactive=true");
    expect(all.body.tokens.find((token) => token.id === body.token.id)).toMatchObject({
      is_active: false,
      is_revoked: true,
      revoked_by: ALICE,
      revocation_reason: "laptop lost",
    });
    // Revoking again changes nothing; changing a revoked token is refused.
    expect((await as(ALICE, "DELETE", `/tokens/${body.token.id}`)).status).toBe(204);
    expect((await as(ALICE, "PUT", `/tokens/${body.token.id}`, { name: "again" })).status).toBe(409);
  });

  it("refuses a token whose expiry has passed", async () => {
    const { body } = await create(ALICE, { name: "expiring", expires_in_days: 1 });
    expect((await callWith(t.gateway, body.access_token, "GET", "/tools")).status).toBe(200);
    await db()
      .updateTable("email_api_tokens")
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where("id", "=", body.token.id)
      .execute();
    t.gateway.auth.changed();
    const answer = await callWith<Json>(t.gateway, body.access_token, "GET", "/tools");
    expect(answer.status).toBe(401);
    expect(answer.body.detail).toBe("token has expired");
    const active = await as<Page>(ALICE, "GET", "/tokens");
    expect(active.body.tokens.map((token) => token.id)).not.toContain(body.token.id);
  });

  it("holds a token to its IP restrictions (IPv4 and IPv6)", async () => {
    const { status, body } = await create(ALICE, {
      name: "office-only",
      expires_in_days: 1,
      scope: { ip_restrictions: ["10.1.0.0/16", "2001:db8::/32", "192.0.2.7"] },
    });
    expect(status).toBe(201);
    expect(body.token.ip_restrictions).toEqual(["10.1.0.0/16", "2001:db8::/32", "192.0.2.7"]);
    const from = async (ip: string | undefined) =>
      (await callWith(t.gateway, body.access_token, "GET", "/tools", undefined, ip)).status;
    expect(await from("10.1.2.3")).toBe(200);
    expect(await from("::ffff:10.1.200.1")).toBe(200);
    expect(await from("2001:db8::42")).toBe(200);
    expect(await from("192.0.2.7")).toBe(200);
    expect(await from("10.2.0.1")).toBe(403);
    expect(await from("2001:db9::1")).toBe(403);
    expect(await from(undefined)).toBe(403);
  });

  it("scopes a token to one virtual server", async () => {
    const server = await as<Json>(ADMIN, "POST", "/servers", {
      server: { name: "scoped", visibility: "public" },
    });
    expect(server.status).toBe(201);
    const serverId = server.body.id as string;
    const { status, body } = await create(ALICE, {
      name: "one-server",
      expires_in_days: 1,
      scope: { server_id: serverId },
    });
    expect(status).toBe(201);
    expect(body.token.server_id).toBe(serverId);
    expect((await callWith(t.gateway, body.access_token, "GET", "/tools")).status).toBe(403);
    const list = (params: Json) => ({ jsonrpc: "2.0", id: 1, method: "tools/list", params });
    const elsewhere = await callWith<Json>(t.gateway, body.access_token, "POST", "/rpc", list({}));
    expect(elsewhere.body.error).toMatchObject({ message: expect.stringContaining(serverId) });
    const there = await callWith<Json>(
      t.gateway,
      body.access_token,
      "POST",
      "/rpc",
      list({ server_id: serverId }),
    );
    expect(there.body).toMatchObject({ result: { tools: [] } });
    const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
    expect((await callWith(t.gateway, body.access_token, "POST", "/servers/another/mcp", ping)).status).toBe(
      403,
    );
  });

  it("updates name, description, tags and scope, within the owner's rights", async () => {
    const { body } = await create(ALICE, { name: "changeable", expires_in_days: 1, team_id: teamA });
    const updated = await as<TokenRead>(ALICE, "PUT", `/tokens/${body.token.id}`, {
      name: "changed",
      description: "now narrower",
      tags: ["x"],
      scope: { permissions: ["tools.read", "tools.execute"], ip_restrictions: ["10.0.0.0/8"] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      name: "changed",
      description: "now narrower",
      tags: ["x"],
      team_id: teamA,
      resource_scopes: ["tools.read", "tools.execute"],
      ip_restrictions: ["10.0.0.0/8"],
    });
    // The new scope applies to the token already handed out.
    expect(
      (await callWith(t.gateway, body.access_token, "GET", "/tools", undefined, "10.9.9.9")).status,
    ).toBe(200);
    expect(
      (await callWith(t.gateway, body.access_token, "GET", "/tools", undefined, "11.0.0.1")).status,
    ).toBe(403);

    expect((await as(ALICE, "PUT", `/tokens/${body.token.id}`, { name: "ci-deploy" })).status).toBe(409);
    const widen = await as(ALICE, "PUT", `/tokens/${body.token.id}`, {
      scope: { permissions: ["admin.system_config"] },
    });
    expect(widen.status).toBe(403);
    expect((await as(ALICE, "PUT", `/tokens/${body.token.id}`, { team_id: teamB })).status).toBe(422);
    expect((await as(BOB, "PUT", `/tokens/${body.token.id}`, { name: "bobs" })).status).toBe(404);
  });

  it("lets platform admins list and revoke every user's tokens, and nobody else", async () => {
    const { body } = await create(BOB, { name: "bob-agent", expires_in_days: 1 });
    expect((await as(BOB, "GET", "/tokens/admin/all")).status).toBe(403);
    expect((await as(BOB, "DELETE", `/tokens/admin/${body.token.id}`)).status).toBe(403);

    const all = await as<Page>(ADMIN, "GET", "/tokens/admin/all?limit=500");
    expect(all.status).toBe(200);
    const owners = new Set(all.body.tokens.map((token) => token.user_email));
    expect(owners).toEqual(new Set([ALICE, BOB, ADMIN]));
    const bobs = await as<Page>(ADMIN, "GET", `/tokens/admin/all?user_email=${encodeURIComponent(BOB)}`);
    expect(bobs.body.tokens.every((token) => token.user_email === BOB)).toBe(true);
    expect(bobs.body.total).toBe(bobs.body.tokens.length);

    expect((await as(ADMIN, "DELETE", `/tokens/admin/${body.token.id}`)).status).toBe(204);
    expect((await callWith(t.gateway, body.access_token, "GET", "/tools")).status).toBe(401);
    expect((await as(ADMIN, "DELETE", "/tokens/admin/no-such-token")).status).toBe(404);
  });

  it("pages the caller's tokens", async () => {
    const page = await as<Page>(ALICE, "GET", "/tokens?limit=2&offset=1");
    expect(page.status).toBe(200);
    expect(page.body.tokens).toHaveLength(2);
    expect(page.body.total).toBeGreaterThan(3);
    expect((await as(ALICE, "GET", "/tokens?limit=0")).status).toBe(422);
    expect((await as(ALICE, "GET", "/tokens?user_email=bob@example.com")).status).toBe(422);
  });
});

describe("REST API /tokens without REQUIRE_TOKEN_EXPIRATION", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await createTestGateway("sqlite", "tokens-no-expiry", {
      ...FAST_HASHING,
      REQUIRE_TOKEN_EXPIRATION: "false",
    });
  });
  afterAll(() => t?.close());

  it("creates a token that never expires when expires_in_days is null", async () => {
    const admin = await t.gateway.mintToken(ADMIN, 60);
    const created = await callWith<Created>(t.gateway, admin, "POST", "/tokens", {
      name: "forever",
      expires_in_days: null,
    });
    expect(created.status).toBe(201);
    expect(created.body.token.expires_at).toBeNull();
    const claims = JSON.parse(
      Buffer.from(created.body.access_token.split(".")[1] ?? "", "base64url").toString(),
    ) as Json;
    expect(claims.exp).toBeUndefined();
    expect((await callWith(t.gateway, created.body.access_token, "GET", "/tools")).status).toBe(200);
  });
});
