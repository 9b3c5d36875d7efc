import type { IncomingMessage } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { Client, SdkError, SdkErrorCode, SdkHttpError } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { WebSocketClientTransport } from "./websocket-client-transport.js";

/** A `ws` server on a free loopback port that records what it sees. */
interface TestServer {
  readonly url: string;
  readonly wss: WebSocketServer;
  /** The server side of the first connection. */
  connected(): Promise<{ socket: WebSocket; request: IncomingMessage }>;
}

const servers: WebSocketServer[] = [];
const rawServers: Server[] = [];
const heldSockets: Socket[] = [];
const transports: WebSocketClientTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  for (const wss of servers.splice(0)) {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
  for (const socket of heldSockets.splice(0)) socket.destroy();
  for (const server of rawServers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function startServer(
  options: ConstructorParameters<typeof WebSocketServer>[0] = {},
): Promise<TestServer> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, ...options });
  servers.push(wss);
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const { port } = wss.address() as { port: number };
  const first = new Promise<{ socket: WebSocket; request: IncomingMessage }>((resolve) =>
    wss.once("connection", (socket, request) => resolve({ socket, request })),
  );
  return { url: `ws://127.0.0.1:${port}/mcp`, wss, connected: () => first };
}

function transport(url: string, options: ConstructorParameters<typeof WebSocketClientTransport>[1] = {}) {
  const t = new WebSocketClientTransport(url, options);
  transports.push(t);
  return t;
}

function nextFrame(socket: WebSocket): Promise<unknown> {
  return new Promise((resolve) => socket.once("message", (data) => resolve(JSON.parse(String(data)))));
}

function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error("condition not met in time"));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

async function startFailure(t: WebSocketClientTransport): Promise<Error> {
  try {
    await t.start();
  } catch (error) {
    return error as Error;
  }
  throw new Error("start() resolved");
}

describe("WebSocketClientTransport", () => {
  it("offers the mcp subprotocol, sends the headers, and exchanges one JSON-RPC message per frame", async () => {
    const server = await startServer();
    const t = transport(server.url, { headers: { Authorization: "Bearer upstream-secret" } });
    const received: JSONRPCMessage[] = [];
    t.onmessage = (message) => received.push(message);
    await t.start();
    const { socket, request } = await server.connected();
    expect(socket.protocol).toBe("mcp");
    expect(request.headers.authorization).toBe("Bearer upstream-secret");

    const frame = nextFrame(socket);
    await t.send({ jsonrpc: "2.0", id: 1, method: "ping" });
    expect(await frame).toEqual({ jsonrpc: "2.0", id: 1, method: "ping" });

    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, result: {} }));
    socket.send(
      JSON.stringify({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info" } }),
    );
    await waitFor(() => received.length === 2);
    expect(received).toEqual([
      { jsonrpc: "2.0", id: 1, result: {} },
      { jsonrpc: "2.0", method: "notifications/message", params: { level: "info" } },
    ]);
  });

  it("reports frames that are not JSON-RPC through onerror, drops them, and keeps the connection", async () => {
    const server = await startServer();
    const t = transport(server.url);
    const received: JSONRPCMessage[] = [];
    const errors: Error[] = [];
    t.onmessage = (message) => received.push(message);
    t.onerror = (error) => errors.push(error);
    let closed = 0;
    t.onclose = () => closed++;
    await t.start();
    const { socket } = await server.connected();

    socket.send("{not json");
    socket.send(JSON.stringify({ hello: "world" }));
    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 7, result: { ok: true } }));
    await waitFor(() => received.length === 1);
    expect(errors.map((e) => e.message)).toEqual([
      "upstream sent a text frame that is not JSON",
      "upstream sent a frame that is not a JSON-RPC message",
    ]);
    expect(received).toEqual([{ jsonrpc: "2.0", id: 7, result: { ok: true } }]);
    expect(closed).toBe(0);
  });

  it("closes with code 1000 and fires onclose exactly once", async () => {
    const server = await startServer();
    const t = transport(server.url);
    let closed = 0;
    t.onclose = () => closed++;
    await t.start();
    const { socket } = await server.connected();
    const code = new Promise<number>((resolve) => socket.once("close", (c) => resolve(c)));

    await Promise.all([t.close(), t.close()]);
    expect(await code).toBe(1000);
    await t.close();
    expect(closed).toBe(1);
    await expect(t.send({ jsonrpc: "2.0", id: 2, method: "ping" })).rejects.toMatchObject({
      code: SdkErrorCode.NotConnected,
    });
  });

  it("fires onclose once when the server goes away, and refuses to send afterwards (nothing sent)", async () => {
    const server = await startServer();
    const t = transport(server.url);
    let closed = 0;
    t.onclose = () => closed++;
    await t.start();
    const { socket } = await server.connected();

    socket.terminate();
    await waitFor(() => closed === 1);
    const error = await t.send({ jsonrpc: "2.0", id: 3, method: "ping" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SdkError);
    expect((error as SdkError).code).toBe(SdkErrorCode.NotConnected);
    await t.close();
    expect(closed).toBe(1);
  });

  it("rejects start() with the HTTP status when the upgrade is refused", async () => {
    const server = await startServer({
      verifyClient: (_info, callback) => callback(false, 401, "Unauthorized"),
    });
    const error = await startFailure(transport(server.url));
    expect(error).toBeInstanceOf(SdkHttpError);
    expect((error as SdkHttpError).status).toBe(401);
    expect((error as SdkHttpError).code).toBe(SdkErrorCode.ClientHttpAuthentication);
    expect(error.message).toBe("WebSocket upgrade refused with HTTP 401 Unauthorized");
  });

  it("rejects start() with the socket error as cause when nothing listens", async () => {
    const server = await startServer();
    const { url } = server;
    await new Promise((resolve) => server.wss.close(resolve));
    servers.length = 0;
    const error = await startFailure(transport(url));
    expect(error.message).toMatch(/^cannot open WebSocket: .*ECONNREFUSED/);
    expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED");
  });

  it("rejects start() after handshakeTimeoutMs when the server never answers the upgrade", async () => {
    const silent = createServer((socket) => heldSockets.push(socket));
    rawServers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    let closed = 0;
    const t = transport(`ws://127.0.0.1:${port}/`, { handshakeTimeoutMs: 100 });
    t.onclose = () => closed++;

    const started = Date.now();
    const error = await startFailure(t);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.message).toBe("WebSocket opening handshake timed out after 100 ms");
    expect((error.cause as { code?: string }).code).toBe("ETIMEDOUT");
    expect(closed).toBe(1);
  });

  it("treats a missed pong as a dead connection: closes it and fires onclose", async () => {
    const server = await startServer({ autoPong: false });
    const t = transport(server.url, { pingIntervalMs: 50 });
    const errors: Error[] = [];
    t.onerror = (error) => errors.push(error);
    let closed = 0;
    t.onclose = () => closed++;
    await t.start();
    const { socket } = await server.connected();
    let pings = 0;
    socket.on("ping", () => pings++);

    await waitFor(() => closed === 1, 2_000);
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => e.message)).toContain("the upstream WebSocket missed a pong within 50 ms");
  });

  it("keeps a connection whose server answers the pings", async () => {
    const server = await startServer();
    const t = transport(server.url, { pingIntervalMs: 30 });
    let closed = 0;
    t.onclose = () => closed++;
    await t.start();
    const { socket } = await server.connected();
    let pings = 0;
    socket.on("ping", () => pings++);

    await waitFor(() => pings >= 4, 2_000);
    expect(closed).toBe(0);
    const frame = nextFrame(socket);
    await t.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    expect(await frame).toEqual({ jsonrpc: "2.0", method: "notifications/initialized" });
  });

  it("delivers a progress notification and the response in one TCP read to an SDK client in order", async () => {
    const server = await startServer();
    server.wss.on("connection", (socket) => {
      socket.on("message", (data) => {
        const request = JSON.parse(String(data)) as {
          id?: number;
          method: string;
          params: { protocolVersion?: string; _meta?: { progressToken?: string | number } };
        };
        if (request.method === "initialize") {
          socket.send(
            JSON.stringify({
              jsonrpc: "2.0",
              id: request.id,
              result: {
                protocolVersion: request.params.protocolVersion,
                capabilities: { tools: {} },
                serverInfo: { name: "raw", version: "1" },
              },
            }),
          );
        } else if (request.method === "tools/call") {
          const progressToken = request.params._meta?.progressToken;
          // Both frames in one TCP segment: the client reads them in the same tick.
          const tcp = (socket as unknown as { _socket: Socket })._socket;
          tcp.cork();
          for (const progress of [1, 2])
            socket.send(
              JSON.stringify({
                jsonrpc: "2.0",
                method: "notifications/progress",
                params: { progressToken, progress },
              }),
            );
          socket.send(JSON.stringify({ jsonrpc: "2.0", id: request.id, result: { content: [] } }));
          process.nextTick(() => tcp.uncork());
        }
      });
    });
    const client = new Client({ name: "t", version: "1" }, { versionNegotiation: { mode: "legacy" } });
    await client.connect(transport(server.url));
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      seen.length = 0;
      await client.callTool({ name: "x", arguments: {} }, { onprogress: (p) => seen.push(p.progress) });
      expect(seen).toEqual([1, 2]);
    }
    await client.close();
  });

  it("rejects start() for a header that cannot be sent, naming the header but not its value", async () => {
    const server = await startServer();
    const error = await startFailure(
      transport(server.url, { headers: { Authorization: "Bearer a\nsecret" } }),
    );
    expect(error.message).toContain('["Authorization"]');
    expect(error.message).not.toContain("secret");
  });

  it("refuses URLs that are not ws:// or wss://", () => {
    expect(() => new WebSocketClientTransport("http://127.0.0.1/mcp")).toThrow(/ws:\/\/ or wss:\/\//);
  });
});
