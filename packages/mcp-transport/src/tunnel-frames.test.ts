import { describe, expect, it } from "vitest";
import {
  encodeTunnelFrame,
  FATAL_CLOSE_CODES,
  parseTunnelFrame,
  TUNNEL_CLOSE_CODES,
} from "./tunnel-frames.js";

describe("tunnel frames", () => {
  it("round-trips every frame type", () => {
    const frames = [
      { type: "register", name: "my-server", description: "d" },
      { type: "registered", gatewayId: "g1", slug: "my-server" },
      { type: "error", message: "no" },
      { type: "open", session: "s1" },
      { type: "close", session: "s1" },
      { type: "closed", session: "s1" },
      { type: "message", session: "s1", message: { jsonrpc: "2.0", id: 1, method: "ping" } },
    ] as const;
    for (const frame of frames) expect(parseTunnelFrame(encodeTunnelFrame(frame))).toEqual(frame);
  });

  it("rejects what is not a frame of the protocol", () => {
    for (const text of [
      "not json",
      "null",
      "[]",
      '{"type":"nope"}',
      '{"type":"register"}',
      '{"type":"register","name":"x","description":3}',
      '{"type":"open"}',
      '{"type":"message","session":"s1"}',
      '{"type":"message","session":"s1","message":"text"}',
    ]) {
      expect(parseTunnelFrame(text), text).toBeUndefined();
    }
  });

  it("keeps the close codes distinct; an administrator's close is retried, a deleted gateway is not", () => {
    const codes = Object.values(TUNNEL_CLOSE_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    expect(FATAL_CLOSE_CODES.has(TUNNEL_CLOSE_CODES.closedByAdministrator)).toBe(false);
    expect(FATAL_CLOSE_CODES.has(TUNNEL_CLOSE_CODES.replaced)).toBe(false);
    expect(FATAL_CLOSE_CODES.has(TUNNEL_CLOSE_CODES.gatewayDeleted)).toBe(true);
  });
});
