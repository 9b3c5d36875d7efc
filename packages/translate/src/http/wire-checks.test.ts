import { describe, expect, it } from "vitest";
import { isWellFormed, MAX_BATCH_SIZE, parseJsonRpcBody } from "./wire-checks.js";

describe("isWellFormed", () => {
  it("accepts requests, notifications, results and errors", () => {
    expect(isWellFormed({ jsonrpc: "2.0", id: 1, method: "ping" })).toBe(true);
    expect(isWellFormed({ jsonrpc: "2.0", id: "x", method: "tools/call", params: { name: "a" } })).toBe(true);
    expect(isWellFormed({ jsonrpc: "2.0", method: "notifications/initialized" })).toBe(true);
    expect(isWellFormed({ jsonrpc: "2.0", id: 1, result: {} })).toBe(true);
    expect(isWellFormed({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "bad" } })).toBe(true);
  });

  it("refuses what is not JSON-RPC 2.0", () => {
    expect(isWellFormed({ id: 1, method: "ping" })).toBe(false);
    expect(isWellFormed({ jsonrpc: "1.0", id: 1, method: "ping" })).toBe(false);
    expect(isWellFormed({ jsonrpc: "2.0", id: {}, method: "ping" })).toBe(false);
    expect(isWellFormed({ jsonrpc: "2.0", id: 1, method: 7 })).toBe(false);
    expect(isWellFormed({ jsonrpc: "2.0", id: 1, method: "ping", params: "x" })).toBe(false);
    expect(isWellFormed({ jsonrpc: "2.0", result: {} })).toBe(false);
    expect(isWellFormed({ jsonrpc: "2.0", id: 1, error: { code: "x", message: "m" } })).toBe(false);
    expect(isWellFormed({ jsonrpc: "2.0", id: 1 })).toBe(false);
    expect(isWellFormed([])).toBe(false);
    expect(isWellFormed("ping")).toBe(false);
  });
});

describe("parseJsonRpcBody", () => {
  it("takes one message or a batch", () => {
    expect(parseJsonRpcBody({ jsonrpc: "2.0", id: 1, method: "ping" })).toMatchObject({
      ok: true,
      batch: false,
    });
    expect(parseJsonRpcBody([{ jsonrpc: "2.0", method: "a" }])).toMatchObject({ ok: true, batch: true });
  });

  it("refuses an empty batch, an oversized batch and a malformed member", () => {
    expect(parseJsonRpcBody([])).toMatchObject({ ok: false, status: 400, code: -32600 });
    const big = Array.from({ length: MAX_BATCH_SIZE + 1 }, () => ({ jsonrpc: "2.0", method: "a" }));
    expect(parseJsonRpcBody(big)).toMatchObject({ ok: false, status: 400, code: -32600 });
    expect(parseJsonRpcBody([{ jsonrpc: "2.0", method: "a" }, { nope: true }])).toMatchObject({
      ok: false,
      status: 400,
      code: -32700,
    });
  });
});
