import { afterAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../src/gateway.js";
import { loadSettings } from "../src/index.js";

const SECRET = "security-headers-test-secret-of-32-chars";
const gateways: Gateway[] = [];

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

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
});

describe("security headers", () => {
  const gateway = gatewayWith({});

  it("are on every answer, errors included, and name no server software", async () => {
    for (const path of ["/health", "/tools", "/no/such"]) {
      const response = await gateway.app.request(path);
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("content-security-policy"), path).toContain("default-src 'none'");
      expect(response.headers.get("x-powered-by"), path).toBeNull();
    }
  });

  it("keep a page's own Content-Security-Policy", async () => {
    const response = await gateway.app.request("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src https://cdn.jsdelivr.net");
  });

  it("send HSTS only for requests that came over TLS", async () => {
    expect((await gateway.app.request("/health")).headers.get("strict-transport-security")).toBeNull();
    const proxied = await gateway.app.request("/health", { headers: { "x-forwarded-proto": "https" } });
    expect(proxied.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });

  it("can be turned off, or framed by the same origin", async () => {
    const off = gatewayWith({ SECURITY_HEADERS_ENABLED: "false" });
    expect((await off.app.request("/health")).headers.get("x-frame-options")).toBeNull();
    const sameOrigin = gatewayWith({ X_FRAME_OPTIONS: "SAMEORIGIN" });
    expect((await sameOrigin.app.request("/health")).headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });
});

describe("CORS", () => {
  const gateway = gatewayWith({ ALLOWED_ORIGINS: "https://app.example.com", HOST: "0.0.0.0" });

  it("answers a preflight from an allowed origin without credentials, naming the MCP headers", async () => {
    const response = await gateway.app.request("/mcp", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, mcp-session-id",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("mcp-session-id");
  });

  it("exposes the session header to allowed origins, and gives other origins nothing", async () => {
    const allowed = await gateway.app.request("/health", { headers: { origin: "https://app.example.com" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("mcp-session-id");
    const other = await gateway.app.request("/health", { headers: { origin: "https://evil.example.com" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("is off without ALLOWED_ORIGINS", async () => {
    const closed = gatewayWith({});
    const response = await closed.app.request("/health", { headers: { origin: "http://localhost:3000" } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});
