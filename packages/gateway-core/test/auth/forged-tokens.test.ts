import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { seedUser } from "../support/auth-fixtures.js";

// Tokens a caller could forge or replay: each is refused with 401 and a reason that reveals
// nothing about users, and the gateway keeps serving.

const SECRET = "forged-tokens-secret-forged-tokens-secret-0123";
const secret = new TextEncoder().encode(SECRET);
const gateways: Gateway[] = [];

function gatewayWith(env: Record<string, string> = {}): Gateway {
  const gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      ARGON2ID_MEMORY_COST: "8192",
      ARGON2ID_TIME_COST: "1",
      ...env,
    }),
  });
  gateways.push(gateway);
  return gateway;
}

/** A token signed with the gateway's own key, as an insider with the key could mint it. */
function signed(claims: Record<string, unknown>, subject: string, jti = crypto.randomUUID()) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(subject)
    .setIssuer("mcpgateway")
    .setAudience("mcpgateway-api")
    .setJti(jti)
    .setExpirationTime("5m")
    .sign(secret);
}

const gateway = gatewayWith();
let base: string;

beforeAll(async () => {
  base = (await gateway.start()).url;
  await seedUser(gateway.database.db, "carol@example.com");
  gateway.auth.changed();
});

afterAll(() => Promise.all(gateways.map((g) => g.stop())));

async function status(token: string, path = "/tools"): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

describe("forged and replayed tokens", () => {
  it("refuses an unsigned token (alg none)", async () => {
    const none = new UnsecuredJWT({})
      .setSubject("admin@example.com")
      .setIssuer("mcpgateway")
      .setAudience("mcpgateway-api")
      .setJti("j-none")
      .setExpirationTime("5m")
      .encode();
    expect((await status(none)).status).toBe(401);
  });

  it("refuses an API token whose id was never issued, or that names another user", async () => {
    const unknown = await signed({ token_use: "api" }, "carol@example.com");
    expect(await status(unknown)).toEqual({
      status: 401,
      body: { detail: "token has been revoked or does not exist", code: "unauthorized" },
    });
  });

  it("refuses a login session for a user that does not exist", async () => {
    const session = await signed({ token_use: "session" }, "ghost@example.com");
    expect((await status(session)).status).toBe(401);
  });

  it("lets a bare subject see public items only, and REQUIRE_USER_IN_DB refuses it", async () => {
    const bare = await signed({}, "nobody@example.com");
    const answer = await status(bare, "/rbac/my/permissions");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([]);
    const strict = gatewayWith({ REQUIRE_USER_IN_DB: "true" });
    await strict.prepare();
    const refused = await strict.app.request("/tools", {
      headers: { authorization: `Bearer ${await signed({}, "nobody@example.com")}` },
    });
    expect(refused.status).toBe(401);
  });

  it("refuses a token of a deactivated user at once", async () => {
    const token = await gateway.mintToken("carol@example.com", 5);
    expect((await status(token)).status).toBe(200);
    await gateway.database.db
      .updateTable("email_users")
      .set({ is_active: false })
      .where("email", "=", "carol@example.com")
      .execute();
    gateway.auth.changed();
    // Also a token minted with the key: a deactivated user is not a bare subject.
    expect((await status(token)).status).toBe(401);
    const session = await status(await signed({ token_use: "session" }, "carol@example.com"));
    expect(session.status).toBe(401);
  });

  it("answers an oversized header with 431 and keeps serving", async () => {
    const huge = await fetch(`${base}/tools`, { headers: { authorization: `Bearer ${"x".repeat(70_000)}` } });
    expect(huge.status).toBe(431);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
  });
});
