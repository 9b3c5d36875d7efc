import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StdioLeaseTransport, StdioSupervisor } from "../src/index.js";
import { connectClient, eventually, firstText, miniServer, newMarker, osProcessesWith } from "./helpers.js";

const EVERYTHING_CLI = join(
  dirname(createRequire(import.meta.url).resolve("@contextforge/server-everything/package.json")),
  "dist/cli.js",
);

const marker = newMarker();
let supervisor: StdioSupervisor;

afterEach(async () => {
  await supervisor.close();
  expect(osProcessesWith(marker)).toEqual([]);
});

describe("StdioLeaseTransport", () => {
  it("connects an SDK client to a real SDK stdio server and relays its notifications", async () => {
    supervisor = new StdioSupervisor({ killGraceMs: 500 });
    const lease = await supervisor.acquire({
      serverId: "everything",
      command: process.execPath,
      // The marker rides on a harmless node flag: the server rejects unknown arguments.
      args: ["--conditions", marker, EVERYTHING_CLI, "--transport", "stdio"],
    });
    const client = await connectClient(lease);
    expect(client.getServerVersion()?.name).toBe("mcp-sample-everything");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("test_simple_text");
    expect(firstText(await client.callTool({ name: "test_simple_text", arguments: {} }))).toContain(
      "simple text",
    );

    const progress: number[] = [];
    await client.callTool(
      { name: "test_tool_with_progress", arguments: {} },
      { onprogress: (p: { progress: number }) => progress.push(p.progress) },
    );
    expect(progress.length).toBeGreaterThan(0);

    await client.close();
    expect(lease.released).toBe(true);
    // Closing the transport released the lease; the process stays for the next session until idle.
    expect(supervisor.processes()).toMatchObject([{ serverId: "everything", state: "idle", leases: 0 }]);
  });

  it("closes the client when the server exits, and then refuses to send", async () => {
    supervisor = new StdioSupervisor();
    const lease = await supervisor.acquire(miniServer("mini", marker));
    const transport = new StdioLeaseTransport(lease);
    const closed = new Promise<void>((resolve) => {
      transport.onclose = resolve;
    });
    await transport.start();
    await transport.send({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "crash" } });
    await closed;
    expect(lease.released).toBe(true);
    await expect(transport.send({ jsonrpc: "2.0", id: 2, method: "ping" })).rejects.toThrow(/not running/);
  });

  it("reports a line that is not JSON through onerror and keeps going", async () => {
    supervisor = new StdioSupervisor();
    const script = `
      process.stdout.write("this is not json\\n");
      require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
        const { id } = JSON.parse(line);
        process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id, result: {} }) + "\\n");
      });`;
    const lease = await supervisor.acquire({
      serverId: "noisy",
      command: process.execPath,
      args: ["-e", script, marker],
    });
    const transport = new StdioLeaseTransport(lease);
    const errors: Error[] = [];
    const messages: unknown[] = [];
    transport.onerror = (error) => errors.push(error);
    transport.onmessage = (message) => messages.push(message);
    await transport.start();
    await transport.send({ jsonrpc: "2.0", id: 5, method: "ping" });
    expect(await eventually(() => messages.length === 1)).toBe(true);
    expect(messages).toEqual([{ jsonrpc: "2.0", id: 5, result: {} }]);
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining("this is not json")]);
    await transport.close();
  });

  it("cannot be started twice or over a released lease", async () => {
    supervisor = new StdioSupervisor();
    const lease = await supervisor.acquire(miniServer("mini", marker));
    const transport = new StdioLeaseTransport(lease);
    await transport.start();
    await expect(transport.start()).rejects.toThrow(/already started/);
    await transport.close();
    await expect(new StdioLeaseTransport(lease).start()).rejects.toThrow(/released/);
  });
});
