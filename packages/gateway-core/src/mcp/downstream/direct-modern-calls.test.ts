import { describe, expect, it } from "vitest";
import { isDirectModernCall } from "./direct-modern-calls.js";

const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

const body = (params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id: 9,
  method: "tools/call",
  params: { name: "echo", arguments: { message: "hi" }, _meta: ENVELOPE, ...params },
  ...extra,
});

const request = (headers: Record<string, string> = {}) =>
  new Request("http://localhost/mcp", {
    method: "POST",
    headers: {
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "echo",
      ...headers,
    },
  });

describe("isDirectModernCall", () => {
  it("takes the plain call of a client that can be asked nothing", () => {
    expect(isDirectModernCall(request(), body())).toBe(true);
    expect(isDirectModernCall(request(), body({ arguments: undefined }))).toBe(true);
    const titled = {
      ...ENVELOPE,
      "io.modelcontextprotocol/clientInfo": { name: "a", version: "1", title: "A" },
    };
    expect(isDirectModernCall(request(), body({ _meta: titled }))).toBe(true);
  });

  it.each([
    ["a progress token", body({ _meta: { ...ENVELOPE, progressToken: 1 } })],
    ["a log level", body({ _meta: { ...ENVELOPE, "io.modelcontextprotocol/logLevel": "info" } })],
    [
      "declared capabilities",
      body({ _meta: { ...ENVELOPE, "io.modelcontextprotocol/clientCapabilities": { roots: {} } } }),
    ],
    [
      "another protocol version",
      body({ _meta: { ...ENVELOPE, "io.modelcontextprotocol/protocolVersion": "2027-01-01" } }),
    ],
    ["no client info", body({ _meta: { ...ENVELOPE, "io.modelcontextprotocol/clientInfo": undefined } })],
    [
      "client info with a number",
      body({ _meta: { ...ENVELOPE, "io.modelcontextprotocol/clientInfo": { name: "a", version: 1 } } }),
    ],
    ["a request state", body({ requestState: "x" })],
    ["input responses", body({ inputResponses: {} })],
    ["array arguments", body({ arguments: [1] })],
    ["a non-string name", body({ name: 5 })],
    ["another method", body({}, { method: "tools/list" })],
    ["an extra member", body({}, { extra: 1 })],
    ["a fractional id", body({}, { id: 1.5 })],
    ["no envelope", body({ _meta: undefined })],
  ])("leaves to the SDK a call with %s", (_, call) => {
    expect(isDirectModernCall(request(), JSON.parse(JSON.stringify(call)))).toBe(false);
  });

  it.each([
    ["a 2025 version header", { "mcp-protocol-version": "2025-11-25" }],
    ["another Mcp-Method", { "mcp-method": "tools/list" }],
    ["another Mcp-Name", { "mcp-name": "other" }],
    ["an Accept without SSE", { accept: "application/json" }],
  ])("leaves to the SDK a call with %s", (_, headers) => {
    expect(isDirectModernCall(request(headers), body())).toBe(false);
  });

  it("leaves to the SDK arguments nested too deep", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 200; i++) deep = { deep };
    expect(isDirectModernCall(request(), body({ arguments: { deep } }))).toBe(false);
  });
});
