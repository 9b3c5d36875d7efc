import { randomUUID } from "node:crypto";
import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGateway } from "./support/fake-gateway.js";
import { CLEAN_ENV, CLI, pidsWith, tinyServerCommand } from "./support/proxy-cli.js";

let gateway: FakeGateway;

beforeEach(async () => {
  gateway = await FakeGateway.start();
});
afterEach(async () => {
  await stopAllProcesses();
  await gateway.close();
});

describe("the supervised local server", () => {
  it("answers in-flight requests with errors when it dies, restarts, and serves the next session", async () => {
    const marker = `cf-rp-supervision-${randomUUID()}`;
    const proxy = await startProcess(
      process.execPath,
      [
        CLI,
        "--local-stdio",
        tinyServerCommand(marker),
        "--gateway",
        gateway.url,
        "--reconnect-delay",
        "0.2",
        "--log-level",
        "debug",
      ],
      { env: CLEAN_ENV },
    );
    await gateway.register(0);
    await proxy.waitForOutput(/registered as tiny-stdio-server/);
    await gateway.openSession(0, "s1");
    const pid = Number(await gateway.callText(0, "s1", 1, "pid"));
    expect(pidsWith(marker)).toContain(pid);

    // A call in flight when the local server is killed gets a JSON-RPC error at once.
    gateway.send(0, {
      type: "message",
      session: "s1",
      message: { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "hang", arguments: {} } },
    });
    // Answered after the hanging call was read: that call is now in flight.
    expect(Number(await gateway.callText(0, "s1", 3, "pid"))).toBe(pid);
    process.kill(pid, "SIGKILL");
    const failed = await gateway.response(0, "s1", 2);
    expect(failed.message.error).toEqual({ code: -32000, message: "the local MCP server exited" });
    const frames = gateway.connections[0]?.frames ?? [];
    await gateway.until(() => frames.find((frame) => frame.type === "closed" && frame.session === "s1"));
    expect(frames.findIndex((frame) => frame.type === "closed")).toBeGreaterThan(
      frames.findIndex((frame) => (frame.message as { id?: number } | undefined)?.id === 2),
    );
    await proxy.waitForOutput(/local server exited \(code null, signal SIGKILL\) during session s1/);
    await proxy.waitForOutput(/restarting the local server in 0\.2 s/);

    // The tunnel stayed up; the next session runs in the restarted server.
    await gateway.openSession(0, "s2");
    const restarted = Number(await gateway.callText(0, "s2", 1, "pid"));
    expect(restarted).not.toBe(pid);
    const { message } = await gateway.request(0, "s2", 2, "tools/list");
    expect((message.result as { tools: { name: string }[] }).tools.map((tool) => tool.name)).toContain("env");
    expect(gateway.connections).toHaveLength(1);
    expect(proxy.output().stderr).not.toContain("tunnel closed");

    proxy.child.kill("SIGTERM");
    expect(await proxy.exited()).toBe(0);
    await gateway.until(() => (pidsWith(marker).length === 0 ? true : undefined));
  }, 30_000);

  it("replaces an idle server that dies, and backs off while it keeps dying", async () => {
    const marker = `cf-rp-crashing-${randomUUID()}`;
    // Exits 3 a moment after each start.
    const crashing = `'${process.execPath}' --disable-warning=${marker} -e 'setTimeout(() => process.exit(3), 50)'`;
    const proxy = await startProcess(
      process.execPath,
      [
        CLI,
        "--local-stdio",
        crashing,
        "--name",
        "crashing",
        "--gateway",
        gateway.url,
        "--reconnect-delay",
        "0.1",
        "--max-reconnect-delay",
        "0.4",
      ],
      { env: CLEAN_ENV },
    );
    await gateway.register(0);
    await gateway.until(() => {
      const delays = proxy.output().stderr.match(/restarting the local server in [\d.]+ s/g) ?? [];
      return delays.length >= 4 ? delays : undefined;
    });
    const delays = (proxy.output().stderr.match(/restarting the local server in ([\d.]+) s/g) ?? []).map(
      (line) => Number(/([\d.]+) s$/.exec(line)?.[1]),
    );
    // 0.1 s doubling, capped at 0.4 s.
    expect(delays.slice(0, 4)).toEqual([0.1, 0.2, 0.4, 0.4]);
    expect(proxy.output().stderr).toContain("the local server exited while idle (code 3, signal null)");
    // The tunnel is unaffected.
    expect(gateway.connections).toHaveLength(1);
    expect(proxy.child.exitCode).toBeNull();
    await proxy.stop();
    await gateway.until(() => (pidsWith(marker).length === 0 ? true : undefined));
  }, 30_000);
});
