import { describe, expect, it } from "vitest";
import { resolveConnectOptions } from "./connect-options.js";

describe("resolveConnectOptions", () => {
  it("adds the bearer token as an Authorization header and keeps the others", () => {
    const resolved = resolveConnectOptions({
      url: "https://mcp.example/mcp",
      transport: "streamable-http",
      headers: { "X-Tenant": "acme" },
      oauth2Bearer: "t0ken",
    });
    expect(resolved.headers).toEqual({ "X-Tenant": "acme", Authorization: "Bearer t0ken" });
    expect(resolved.maxRetries).toBe(0);
    expect(resolved.backoff).toMatchObject({ initialMs: 250, maxMs: 30_000, factor: 2 });
  });

  it("maps an http URL to ws for WebSocket and refuses other schemes", () => {
    expect(resolveConnectOptions({ url: "https://mcp.example/ws", transport: "websocket" }).url.href).toBe(
      "wss://mcp.example/ws",
    );
    expect(() => resolveConnectOptions({ url: "ws://mcp.example/sse", transport: "sse" })).toThrow(
      "--connect-sse needs an http:// or https:// URL",
    );
  });

  it("refuses credentials in the URL and header values with line breaks", () => {
    expect(() =>
      resolveConnectOptions({ url: "https://u:p@mcp.example/mcp", transport: "streamable-http" }),
    ).toThrow("not in the URL");
    expect(() =>
      resolveConnectOptions({
        url: "https://mcp.example/mcp",
        transport: "streamable-http",
        headers: { A: "b\r\nC: d" },
      }),
    ).toThrow("line break");
  });
});
