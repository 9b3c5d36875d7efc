import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportPKCS8, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../src/index.js";
import { seedUser } from "./support/auth-fixtures.js";

const SECRET = "auth-test-secret-auth-test-secret-0123456789";
const gateways: Gateway[] = [];
afterAll(() => Promise.all(gateways.map((g) => g.stop())));

function gatewayWith(env: Record<string, string>): Gateway {
  const gateway = createGateway({
    settings: loadSettings({
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      ...env,
    }),
  });
  gateways.push(gateway);
  return gateway;
}

const get = (gateway: Gateway, authorization?: string) =>
  gateway.app.request("/tools", authorization ? { headers: { authorization } } : {});

describe("authentication", () => {
  const gateway = gatewayWith({});

  it("keeps /health and /ready open and answers 401 with WWW-Authenticate elsewhere", async () => {
    await gateway.prepare();
    expect((await gateway.app.request("/health")).status).toBe(200);
    expect((await gateway.app.request("/ready")).status).toBe(200);
    for (const path of ["/tools", "/v1/servers", "/version", "/gateways"]) {
      const response = await gateway.app.request(path);
      expect(response.status, path).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
      expect(await response.json()).toEqual({ detail: "Not authenticated", code: "unauthorized" });
    }
  });

  it("answers OAuth discovery probes with a quick 404, not a 401", async () => {
    for (const path of ["/.well-known/oauth-protected-resource", "/.well-known/oauth-authorization-server"]) {
      const response = await gateway.app.request(path);
      expect(response.status, path).toBe(404);
    }
  });

  it("answers the path-appended OpenID discovery probe under an MCP endpoint with 404, not 401", async () => {
    // mcp-remote (through the SDK's discovery) tries `<endpoint>/.well-known/openid-configuration`
    // after the RFC 8414 and RFC 9728 paths, without the header it was given.
    for (const path of [
      "/servers/abc/mcp/.well-known/openid-configuration",
      "/servers/abc/sse/.well-known/oauth-authorization-server",
      "/mcp/.well-known/openid-configuration",
    ]) {
      const response = await gateway.app.request(path);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ detail: "Not Found", code: "not_found" });
    }
  });

  it("accepts a token it minted, and refuses tampered, expired and foreign tokens", async () => {
    const token = await gateway.mintToken("admin@example.com", 5);
    expect((await get(gateway, `Bearer ${token}`)).status).toBe(200);

    const [header, payload, signature] = token.split(".");
    const tampered = `${header}.${payload}.${signature?.slice(0, -4)}AAAA`;
    expect((await get(gateway, `Bearer ${tampered}`)).status).toBe(401);

    const secret = new TextEncoder().encode(SECRET);
    const base = () =>
      new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("a@b.c")
        .setIssuer("mcpgateway")
        .setJti("j1");
    const expired = await base()
      .setAudience("mcpgateway-api")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(secret);
    const expiredAnswer = await get(gateway, `Bearer ${expired}`);
    expect(expiredAnswer.status).toBe(401);
    expect(await expiredAnswer.json()).toMatchObject({ detail: "token has expired" });

    const otherAudience = await base().setAudience("someone-else").setExpirationTime("5m").sign(secret);
    expect((await get(gateway, `Bearer ${otherAudience}`)).status).toBe(401);

    const noExpiry = await base().setAudience("mcpgateway-api").sign(secret);
    expect((await get(gateway, `Bearer ${noExpiry}`)).status).toBe(401);

    const foreign = await base()
      .setAudience("mcpgateway-api")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("another-secret-another-secret-another"));
    expect((await get(gateway, `Bearer ${foreign}`)).status).toBe(401);

    const noJti = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("a@b.c")
      .setIssuer("mcpgateway")
      .setAudience("mcpgateway-api")
      .setExpirationTime("5m")
      .sign(secret);
    expect(await (await get(gateway, `Bearer ${noJti}`)).json()).toMatchObject({
      detail: 'token has no "jti" claim',
    });
  });

  it("records the token's subject as the creator", async () => {
    await seedUser(gateway.database.db, "alice@example.com");
    gateway.auth.changed();
    const token = await gateway.mintToken("alice@example.com", 5);
    const response = await gateway.app.request("/prompts", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ prompt: { name: "hello", template: "Hi" } }),
    });
    expect(await response.json()).toMatchObject({
      createdBy: "alice@example.com",
      ownerEmail: "alice@example.com",
    });
  });

  it("accepts basic auth only when API_ALLOW_BASIC_AUTH is on", async () => {
    const basic = `Basic ${Buffer.from("admin:s3cret-password").toString("base64")}`;
    const off = gatewayWith({ BASIC_AUTH_PASSWORD: "s3cret-password" });
    await off.prepare();
    expect((await get(off, basic)).status).toBe(401);
    const on = gatewayWith({ BASIC_AUTH_PASSWORD: "s3cret-password", API_ALLOW_BASIC_AUTH: "true" });
    await on.prepare();
    expect((await get(on, basic)).status).toBe(200);
    expect((await get(on, `Basic ${Buffer.from("admin:wrong").toString("base64")}`)).status).toBe(401);
  });

  it("lets anyone in when AUTH_REQUIRED is off", async () => {
    const open = gatewayWith({ AUTH_REQUIRED: "false" });
    await open.prepare();
    expect((await get(open)).status).toBe(200);
  });

  it("signs and verifies with RS256 key files", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    const dir = mkdtempSync(join(tmpdir(), "cf-keys-"));
    writeFileSync(join(dir, "public.pem"), await exportSPKI(publicKey));
    writeFileSync(join(dir, "private.pem"), await exportPKCS8(privateKey));
    const rs = gatewayWith({
      JWT_ALGORITHM: "RS256",
      JWT_PUBLIC_KEY_PATH: join(dir, "public.pem"),
      JWT_PRIVATE_KEY_PATH: join(dir, "private.pem"),
    });
    await rs.prepare();
    const token = await rs.mintToken("admin@example.com", 5);
    expect(JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString())).toMatchObject({
      alg: "RS256",
    });
    expect((await get(rs, `Bearer ${token}`)).status).toBe(200);
  });

  it("fails prepare() when a key file cannot be read", async () => {
    const broken = gatewayWith({
      JWT_ALGORITHM: "RS256",
      JWT_PUBLIC_KEY_PATH: "/no/such/public.pem",
      JWT_PRIVATE_KEY_PATH: "/no/such/private.pem",
    });
    await expect(broken.prepare()).rejects.toThrow(/no such file/);
  });
});
