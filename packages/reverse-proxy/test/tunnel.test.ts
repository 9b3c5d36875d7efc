import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type ManagedProcess, startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeGateway } from "./support/fake-gateway.js";
import { CLEAN_ENV, CLI, pidsWith } from "./support/proxy-cli.js";

const require = createRequire(import.meta.url);
const EVERYTHING = join(
  dirname(require.resolve("@contextforge/server-everything/package.json")),
  "dist",
  "cli.js",
);
const marker = `cf-rp-tunnel-${randomUUID()}`;

const INITIALIZE = {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "fake-gateway", version: "1.0.0" },
};

let gateway: FakeGateway;
let proxy: ManagedProcess;

beforeAll(async () => {
  gateway = await FakeGateway.start();
});
afterEach(stopAllProcesses);
afterAll(() => gateway.close());

describe("the tunnel, against a gateway speaking the protocol", () => {
  it("registers, serves sessions with fresh local processes, reconnects, and stops cleanly", async () => {
    proxy = await startProcess(
      process.execPath,
      [
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
      ],
      { env: CLEAN_ENV },
    );
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
