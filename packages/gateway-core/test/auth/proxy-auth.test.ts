import { afterAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { seedUser } from "../support/auth-fixtures.js";

const SECRET = "proxy-auth-secret-proxy-auth-secret-proxy";
const gateways: Gateway[] = [];

async function gatewayWith(env: Record<string, string>): Promise<Gateway> {
  const gateway = createGateway({
    settings: loadSettings({
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      ARGON2ID_MEMORY_COST: "8192",
      ARGON2ID_TIME_COST: "1",
      ...env,
    }),
  });
  gateways.push(gateway);
  await gateway.prepare();
  await seedUser(gateway.database.db, "carol@example.com");
  gateway.auth.changed();
  return gateway;
}

afterAll(() => Promise.all(gateways.map((g) => g.stop())));

const me = (gateway: Gateway, headers: Record<string, string>) =>
  gateway.app.request("/auth/email/me", { headers });

describe("identity from an authenticating reverse proxy (TRUST_PROXY_AUTH)", () => {
  it("takes the user from PROXY_USER_HEADER when trusted", async () => {
    const gateway = await gatewayWith({ TRUST_PROXY_AUTH: "true", PROXY_USER_HEADER: "X-Forwarded-User" });
    const response = await me(gateway, { "x-forwarded-user": "Carol@Example.com" });
    expect(response.status).toBe(200);
    // The stored user, its email normalised to lower case.
    expect(await response.json()).toMatchObject({ email: "carol@example.com" });
  });

  it("refuses a deactivated user named by the proxy", async () => {
    const gateway = await gatewayWith({ TRUST_PROXY_AUTH: "true" });
    await gateway.database.db.updateTable("email_users").set({ is_active: false }).execute();
    gateway.auth.changed();
    expect((await me(gateway, { "x-authenticated-user": "carol@example.com" })).status).toBe(401);
  });

  it("ignores the header unless trusted: a client cannot name itself", async () => {
    const gateway = await gatewayWith({});
    expect((await me(gateway, { "x-authenticated-user": "carol@example.com" })).status).toBe(401);
  });
});
