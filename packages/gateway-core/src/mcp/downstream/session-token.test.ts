import { describe, expect, it } from "vitest";
import { createSessionTokens, type SessionClaims, sessionTokenKey } from "./session-token.js";

const CLAIMS: SessionClaims = {
  owner: "alice@example.com",
  scope: "",
  protocolVersion: "2025-06-18",
  capabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } },
  clientInfo: { name: "claude-code", version: "2.1.0" },
  issuedAt: 1_750_000_000_000,
};

describe("session tokens", () => {
  const tokens = createSessionTokens([sessionTokenKey("current-secret-current-secret-current")]);

  it("round-trips the claims in a short id of visible ASCII, different each time", () => {
    const id = tokens.seal(CLAIMS);
    expect(id).toMatch(/^[\x21-\x7e]+$/);
    expect(id.length).toBeLessThan(300);
    expect(tokens.open(id)).toEqual(CLAIMS);
    expect(tokens.seal(CLAIMS)).not.toBe(id);
  });

  it("refuses a tampered, truncated or foreign id", () => {
    const id = tokens.seal(CLAIMS);
    const flipped = `${id.slice(0, 30)}${id[30] === "A" ? "B" : "A"}${id.slice(31)}`;
    expect(tokens.open(flipped)).toBeUndefined();
    expect(tokens.open(id.slice(0, 20))).toBeUndefined();
    expect(tokens.open("0b1c2d3e-uuid-like")).toBeUndefined();
    const other = createSessionTokens([sessionTokenKey("another-secret-another-secret-another")]);
    expect(other.open(id)).toBeUndefined();
  });

  it("opens ids sealed with a previous key during a rotation, and seals with the current one", () => {
    const previous = createSessionTokens([sessionTokenKey("old-secret-old-secret-old-secret-old")]);
    const rotated = createSessionTokens([
      sessionTokenKey("new-secret-new-secret-new-secret-new"),
      sessionTokenKey("old-secret-old-secret-old-secret-old"),
    ]);
    expect(rotated.open(previous.seal(CLAIMS))).toEqual(CLAIMS);
    expect(previous.open(rotated.seal(CLAIMS))).toBeUndefined();
  });

  it("keeps only which capabilities a client has when they are large", () => {
    const big = { ...CLAIMS, capabilities: { sampling: {}, experimental: { blob: "x".repeat(5_000) } } };
    const id = tokens.seal(big);
    expect(id.length).toBeLessThan(300);
    expect(tokens.open(id)?.capabilities).toEqual({ sampling: {} });
  });
});
