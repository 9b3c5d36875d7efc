import { type IncomingMessage, request } from "node:http";
import { stopAllProcesses } from "@contextforge/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport, SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayUnderTest, installedVersion, startGatewayUnderTest } from "../src/index.js";

let gateway: GatewayUnderTest;
beforeAll(async () => {
  gateway = await startGatewayUnderTest();
});
afterAll(async () => {
  await gateway?.close();
  await stopAllProcesses();
});

const bearer = (token: string) => ({ requestInit: { headers: { Authorization: `Bearer ${token}` } } });

const transports = {
  "streamable HTTP": (token: string) =>
    new StreamableHTTPClientTransport(new URL(gateway.endpoint("mcp")), bearer(token)),
  // requestInit's headers go on the event stream's GET and on every POST.
  SSE: (token: string) => new SSEClientTransport(new URL(gateway.endpoint("sse")), bearer(token)),
  // The v1 WebSocket transport can set no header and offers only the `mcp` subprotocol: the token
  // goes in the query string.
  WebSocket: (token: string) =>
    new WebSocketClientTransport(new URL(`${gateway.endpoint("ws")}?token=${encodeURIComponent(token)}`)),
} satisfies Record<string, (token: string) => Transport>;

/** How the gateway answers a WebSocket upgrade: 101 and the chosen subprotocol when it accepts. */
function upgrade(url: string, protocols = "mcp"): Promise<{ status: number; protocol: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace(/^ws/, "http"), {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Protocol": protocols,
      },
      timeout: 5_000,
    });
    const answer = (response: IncomingMessage) => ({
      status: response.statusCode ?? 0,
      protocol: response.headers["sec-websocket-protocol"],
    });
    req.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve(answer(response));
    });
    req.on("response", (response) => {
      response.resume();
      resolve(answer(response));
    });
    req.on("timeout", () => req.destroy(new Error("upgrade timed out")));
    req.on("error", reject);
    req.end();
  });
}

describe(`@modelcontextprotocol/sdk ${installedVersion("@modelcontextprotocol/sdk")} (v1)`, () => {
  it.each(Object.keys(transports) as (keyof typeof transports)[])(
    "lists and calls the virtual server's tools over %s",
    async (name) => {
      const client = new Client({ name: "sdk-v1", version: "1.0.0" });
      try {
        await client.connect(transports[name](gateway.token));
        const { tools } = await client.listTools();
        expect(tools).toHaveLength(gateway.toolCount);
        expect(tools.map((t) => t.name)).toContain(gateway.echoTool);
        const result = await client.callTool({ name: gateway.echoTool, arguments: { message: name } });
        expect(result.content).toEqual([{ type: "text", text: name }]);
      } finally {
        await client.close();
      }
    },
  );

  it("negotiates 2025-11-25 over streamable HTTP (v1 knows no 2026-07-28)", async () => {
    const client = new Client({ name: "sdk-v1", version: "1.0.0" });
    const transport = transports["streamable HTTP"](gateway.token);
    await client.connect(transport);
    expect(transport.protocolVersion).toBe("2025-11-25");
    expect(client.getServerVersion()?.name).toBe("contextforge-gateway");
    await client.close();
  });

  it("gets the gateway's 401 for a foreign token over streamable HTTP and SSE", async () => {
    const started = performance.now();
    const http = new Client({ name: "sdk-v1", version: "1.0.0" });
    const httpError = await http.connect(transports["streamable HTTP"](gateway.foreignToken)).catch((e) => e);
    expect(httpError).toBeInstanceOf(StreamableHTTPError);
    expect(httpError.code).toBe(401);
    const sse = new Client({ name: "sdk-v1", version: "1.0.0" });
    const sseError = await sse.connect(transports.SSE(gateway.foreignToken)).catch((e) => e);
    expect(sseError).toBeInstanceOf(SseError);
    expect(sseError.code).toBe(401);
    expect(performance.now() - started).toBeLessThan(5_000);
    await Promise.all([http.close(), sse.close()]);
  });

  it("cannot open the WebSocket with a foreign token: the upgrade is refused with 401", async () => {
    const started = performance.now();
    const client = new Client({ name: "sdk-v1", version: "1.0.0" });
    await expect(client.connect(transports.WebSocket(gateway.foreignToken))).rejects.toBeDefined();
    expect(performance.now() - started).toBeLessThan(5_000);
    await client.close();
    // The browser-style WebSocket the transport uses hides the status: ask for it directly.
    expect(await upgrade(`${gateway.endpoint("ws")}?token=${gateway.foreignToken}`)).toMatchObject({
      status: 401,
    });
    expect(await upgrade(`${gateway.endpoint("ws")}?token=${gateway.token}`)).toEqual({
      status: 101,
      protocol: "mcp",
    });
  });

  it("takes the token as a `bearer.<token>` subprotocol too, for clients that can offer one", async () => {
    // The upgrade a browser sends for `new WebSocket(url, ["mcp", "bearer." + token])`; the v1
    // transport cannot, it offers `mcp` only.
    expect(await upgrade(gateway.endpoint("ws"), `mcp, bearer.${gateway.token}`)).toEqual({
      status: 101,
      protocol: "mcp",
    });
    expect(await upgrade(gateway.endpoint("ws"), `mcp, bearer.${gateway.foreignToken}`)).toMatchObject({
      status: 401,
    });
  });
});
