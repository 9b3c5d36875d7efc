import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";

const SECRET = "ws-keepalive-test-secret-ws-keepalive-test";
let gateway: Gateway;
let wsBase: string;
let token: string;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      AUTH_ENCRYPTION_SECRET: SECRET,
      WEBSOCKET_PING_INTERVAL: "1",
    }),
  });
  wsBase = (await gateway.start()).url.replace(/^http/, "ws");
  token = await gateway.mintToken("admin@example.com", 30);
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await gateway?.stop();
});

/** An open `/ws` socket; `autoPong: false` makes it a client that never answers pings. */
async function open(autoPong: boolean): Promise<{ socket: WebSocket; pings: () => number }> {
  const socket = new WebSocket(`${wsBase}/ws?token=${token}`, ["mcp"], { autoPong });
  sockets.push(socket);
  let pings = 0;
  socket.on("ping", () => pings++);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  return { socket, pings: () => pings };
}

describe("/ws keepalive (WEBSOCKET_PING_INTERVAL=1)", () => {
  it("pings a client every interval and drops it, ending its session, when it misses a pong", async () => {
    const { socket, pings } = await open(false);
    await vi.waitFor(() => expect(gateway.sessionCounts().webSocket).toBe(1));
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    const started = Date.now();
    expect(await closed).toBe(1006);
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(pings()).toBe(1);
    await vi.waitFor(() => expect(gateway.sessionCounts().webSocket).toBe(0));
  });

  it("keeps a client that answers the pings", async () => {
    const { socket, pings } = await open(true);
    await vi.waitFor(() => expect(pings()).toBeGreaterThanOrEqual(3), { timeout: 5_000, interval: 100 });
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }));
    const answer = await new Promise<unknown>((resolve) =>
      socket.once("message", (d) => resolve(JSON.parse(String(d)))),
    );
    expect(answer).toMatchObject({ jsonrpc: "2.0", id: 1 });
    socket.close();
  });
});
