import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { startWebSocketHeartbeat } from "./websocket-heartbeat.js";

const servers: WebSocketServer[] = [];
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  for (const wss of servers.splice(0)) await new Promise((resolve) => wss.close(resolve));
});

/** A connected pair: the server side (which runs the heartbeat) and a client that may not pong. */
async function pair(autoPong: boolean): Promise<{ server: WebSocket; client: WebSocket }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  servers.push(wss);
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const accepted = new Promise<WebSocket>((resolve) => wss.once("connection", resolve));
  const { port } = wss.address() as { port: number };
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { autoPong });
  clients.push(client);
  await new Promise((resolve) => client.once("open", resolve));
  return { server: await accepted, client };
}

describe("startWebSocketHeartbeat", () => {
  it("drops a peer that does not answer pings, calling onDead once", async () => {
    const { server, client } = await pair(false);
    const dead = vi.fn();
    let pings = 0;
    client.on("ping", () => pings++);
    const closed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
    startWebSocketHeartbeat(server, 30, dead);
    expect(await closed).toBe(1006);
    expect(pings).toBe(1);
    expect(dead).toHaveBeenCalledTimes(1);
  });

  it("keeps a peer that answers, and stops when the socket closes", async () => {
    const { server, client } = await pair(true);
    const dead = vi.fn();
    let pings = 0;
    client.on("ping", () => pings++);
    startWebSocketHeartbeat(server, 20, dead);
    await vi.waitFor(() => expect(pings).toBeGreaterThanOrEqual(4), { timeout: 2_000 });
    expect(client.readyState).toBe(WebSocket.OPEN);
    client.close();
    await new Promise((resolve) => server.once("close", resolve));
    const after = pings;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(pings).toBe(after);
    expect(dead).not.toHaveBeenCalled();
  });

  it("does nothing with an interval of 0", async () => {
    const { server, client } = await pair(false);
    let pings = 0;
    client.on("ping", () => pings++);
    startWebSocketHeartbeat(server, 0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(pings).toBe(0);
    expect(client.readyState).toBe(WebSocket.OPEN);
  });
});
