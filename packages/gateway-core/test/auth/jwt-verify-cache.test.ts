import { afterEach, describe, expect, it, vi } from "vitest";
import { createJwtService } from "../../src/auth/jwt-service.js";

const settings = {
  JWT_SECRET_KEY: "a-test-secret-that-is-long-enough-for-hs256",
  JWT_ALGORITHM: "HS256",
  JWT_PUBLIC_KEY_PATH: "",
  JWT_PRIVATE_KEY_PATH: "",
  JWT_AUDIENCE: "mcpgateway-api",
  JWT_ISSUER: "mcpgateway",
  TOKEN_EXPIRY: 10,
  REQUIRE_TOKEN_EXPIRATION: true,
  REQUIRE_JTI: true,
} as Parameters<typeof createJwtService>[0];

describe("JWT verification cache", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers a token verified before from memory, and refuses it once it has expired", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
    const jwt = await createJwtService(settings);
    const token = await jwt.mint("alice@example.com", { expiresInMinutes: 1 });
    const first = await jwt.verify(token);
    expect(first.subject).toBe("alice@example.com");
    expect(await jwt.verify(token)).toEqual(first);

    vi.setSystemTime(new Date("2026-01-01T00:01:01Z"));
    await expect(jwt.verify(token)).rejects.toThrow("token has expired");
  });

  it("never caches a token that failed verification", async () => {
    const jwt = await createJwtService(settings);
    const token = await jwt.mint("bob@example.com");
    const forged = `${token.slice(0, -2)}xx`;
    await expect(jwt.verify(forged)).rejects.toThrow("invalid token");
    await expect(jwt.verify(forged)).rejects.toThrow("invalid token");
    expect((await jwt.verify(token)).subject).toBe("bob@example.com");
  });
});
