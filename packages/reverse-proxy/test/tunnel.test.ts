import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ManagedProcess, startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const require = createRequire(import.meta.url);
const EVERYTHING = join(
  dirname(require.resolve("@contextforge/server-everything/package.json")),
  "dist",
  "cli.js",
);
const marker = `cf-rp-tunnel-${randomUUID()}`;

/** The gateway side of the tunnel protocol, in miniature: records frames, answers on demand. */
class FakeGateway {
  readonly server: WebSocketServer;
  readonly connections: { socket: WebSocket; frames: Record<string, unknown>[]; authorization?: string }[] =
    [];
  #waiters: (() => void)[] = [];

  constructor() {
    this.server = new WebSocketServer({ port: 0, host: "127.0.0.1", path: "/reverse-proxy/ws" });
    this.server.on("connection", (socket, request) => {
      const connection = {
        socket,
        frames: [] as Record<string, unknown>[],
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      };
      this.connections.push(connection);
      socket.on("message", (data) => {
        connection.frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
        this.#wake();
      });
      this.#wake();
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Waits until `probe` returns a value. */
  async until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error("timed out waiting on the tunnel");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a JSON-RPC request in `session` and waits for its response. */
  async request(
    index: number,
    session: string,
    id: number,
    method: string,
    params: object = {},
  ): Promise<unknown> {
    const connection = this.connections[index];
    if (!connection) throw new Error("no such connection");
    connection.socket.send(
      JSON.stringify({ type: "message", session, message: { jsonrpc: "2.0", id, method, params } }),
    );
    return this.until(() =>
      connection.frames.find(
        (frame) =>
          frame.type === "message" &&
          frame.session === session &&
          (frame.message as { id?: number }).id === id,
      ),
    );
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

const INITIALIZE = {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "fake-gateway", version: "1.0.0" },
};

function pidsWith(text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
        return readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text) && state !== "Z";
      } catch {
        return false;
      }
    })
    .map(Number);
}

let gateway: FakeGateway;
let proxy: ManagedProcess;

beforeAll(async () => {
  gateway = new FakeGateway();
  await new Promise((resolve) => gateway.server.once("listening", resolve));
});
afterEach(stopAllProcesses);
afterAll(() => gateway.close());

describe("the tunnel, against a gateway speaking the protocol", () => {
  it("registers, serves sessions with fresh local processes, reconnects, and stops cleanly", async () => {
    proxy = await startProcess(process.execPath, [
      CLI,
      "--local-stdio",
      `'${process.execPath}' --disable-warning=${marker} '${EVERYTHING}' --transport stdio`,
      "--gateway",
      gateway.url,
      "--token",
      "T0K",
      "--reconnect-delay",
      "0.1",
      "--log-level",
      "debug",
    ]);
    const first = await gateway.until(() => gateway.connections[0]?.frames[0]);
    // The name defaults to the script run by node.
    expect(first).toEqual({ type: "register", name: "cli" });
    expect(gateway.connections[0]?.authorization).toBe("Bearer T0K");
    const socket = gateway.connections[0]?.socket;
    socket?.send(JSON.stringify({ type: "registered", gatewayId: "g1", slug: "cli" }));
    await proxy.waitForOutput(/registered as cli \(gateway g1\)/);

    socket?.send(JSON.stringify({ type: "open", session: "s1" }));
    const init = (await gateway.request(0, "s1", 1, "initialize", INITIALIZE)) as {
      message: { result: object };
    };
    expect(init.message.result).toMatchObject({ serverInfo: expect.any(Object) });
    socket?.send(
      JSON.stringify({
        type: "message",
        session: "s1",
        message: { jsonrpc: "2.0", method: "notifications/initialized" },
      }),
    );
    const tools = (await gateway.request(0, "s1", 2, "tools/list")) as {
      message: { result: { tools: { name: string }[] } };
    };
    expect(tools.message.result.tools.map((tool) => tool.name)).toContain("echo");
    const pid1 = Number((await proxy.waitForOutput(/session s1 opened \(pid (\d+)\)/))[1]);

    // A second session gets a process of its own; the first one's stops.
    socket?.send(JSON.stringify({ type: "close", session: "s1" }));
    socket?.send(JSON.stringify({ type: "open", session: "s2" }));
    await gateway.request(0, "s2", 1, "initialize", INITIALIZE);
    const pid2 = Number((await proxy.waitForOutput(/session s2 opened \(pid (\d+)\)/))[1]);
    expect(pid2).not.toBe(pid1);
    expect(pidsWith(marker)).not.toContain(pid1);
    // Messages of a closed session are not delivered.
    socket?.send(
      JSON.stringify({ type: "message", session: "s1", message: { jsonrpc: "2.0", id: 9, method: "ping" } }),
    );

    // The gateway drops the tunnel: the proxy dials again and registers again.
    socket?.terminate();
    const again = await gateway.until(() => gateway.connections[1]?.frames[0]);
    expect(again).toEqual({ type: "register", name: "cli" });
    expect(
      gateway.connections[0]?.frames.some(
        (frame) => (frame.message as { id?: number } | undefined)?.id === 9,
      ),
    ).toBe(false);

    proxy.child.kill("SIGTERM");
    expect(await proxy.exited()).toBe(0);
    await gateway.until(() => (pidsWith(marker).length === 0 ? true : undefined));
  }, 60_000);
});
