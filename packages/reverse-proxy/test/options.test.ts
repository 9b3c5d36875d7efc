import { randomUUID } from "node:crypto";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGateway } from "./support/fake-gateway.js";
import { CLEAN_ENV, CLI, tinyServerCommand } from "./support/proxy-cli.js";

const marker = `cf-rp-options-${randomUUID()}`;
let gateway: FakeGateway;

beforeEach(async () => {
  gateway = await FakeGateway.start();
});
afterEach(async () => {
  await stopAllProcesses();
  await gateway.close();
});

describe("mcpreverseproxy --max-retries", () => {
  it("exits 1 after N failed reconnection attempts in a row when nothing listens", async () => {
    const port = await getFreePort();
    const p = await startProcess(
      process.execPath,
      [
        CLI,
        "--local-stdio",
        tinyServerCommand(marker),
        "--gateway",
        `http://127.0.0.1:${port}`,
        "--max-retries",
        "3",
        "--reconnect-delay",
        "0.05",
      ],
      { env: CLEAN_ENV },
    );
    expect(await p.exited()).toBe(1);
    const { stderr } = p.output();
    expect(stderr.match(/reconnecting in [\d.]+ s \(attempt \d of 3\)/g)).toHaveLength(3);
    expect(stderr).toContain(
      `gave up after 3 failed reconnection attempts in a row to ws://127.0.0.1:${port}/reverse-proxy/ws: connect ECONNREFUSED`,
    );
  });

  it("counts only failures since the last registration", async () => {
    const p = await startProcess(
      process.execPath,
      [
        CLI,
        "--local-stdio",
        tinyServerCommand(marker),
        "--gateway",
        gateway.url,
        "--max-retries",
        "1",
        "--reconnect-delay",
        "0.05",
      ],
      { env: CLEAN_ENV },
    );
    const registrations = (): number =>
      p.output().stderr.match(/registered as tiny-stdio-server/g)?.length ?? 0;
    await gateway.register(0);
    await gateway.until(() => (registrations() === 1 ? true : undefined));
    // Dropped after registering: one retry is allowed, and it succeeds.
    gateway.connections[0]?.socket.terminate();
    await gateway.register(1);
    await gateway.until(() => (registrations() === 2 ? true : undefined));
    // Dropped again, and then the gateway is gone: the one retry fails and the proxy gives up.
    await gateway.close();
    expect(await p.exited()).toBe(1);
    expect(p.output().stderr).toContain("gave up after 1 failed reconnection attempt in a row");
  });

  it("rejects a count that is not a whole number >= 0 as a usage error", async () => {
    for (const value of ["-1", "1.5", "many"]) {
      const p = await startProcess(
        process.execPath,
        [CLI, "--local-stdio", "cat", "--gateway", "http://127.0.0.1:9", "--max-retries", value],
        { env: CLEAN_ENV },
      );
      expect(await p.exited()).toBe(2);
      expect(p.output().stderr).toContain("expected a whole number >= 0");
    }
  });
});

describe("mcpreverseproxy --keepalive", () => {
  it("pings the gateway at the --keepalive interval, and --heartbeat sets the same value", async () => {
    for (const [index, flag] of [
      [0, "--keepalive"],
      [1, "--heartbeat"],
    ] as const) {
      const p = await startProcess(
        process.execPath,
        [CLI, "--local-stdio", tinyServerCommand(marker), "--gateway", gateway.url, flag, "0.1"],
        { env: CLEAN_ENV },
      );
      await gateway.register(index);
      await gateway.until(() => ((gateway.connections[index]?.pings ?? 0) >= 3 ? true : undefined), 5_000);
      await p.stop();
    }
  });

  it("does not ping before the default 30 s", async () => {
    const p = await startProcess(
      process.execPath,
      [CLI, "--local-stdio", tinyServerCommand(marker), "--gateway", gateway.url],
      { env: CLEAN_ENV },
    );
    await gateway.register(0);
    await p.waitForOutput(/registered as/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(gateway.connections[0]?.pings).toBe(0);
  });
});

describe("mcpreverseproxy --env", () => {
  it("passes repeated KEY=VALUE pairs to the local server, on top of the inherited environment", async () => {
    const p = await startProcess(
      process.execPath,
      [
        CLI,
        "--local-stdio",
        tinyServerCommand(marker),
        "--gateway",
        gateway.url,
        "--env",
        "CF_RP_ONE=first",
        "--env",
        "CF_RP_TWO=a=b c",
        "--env",
        "CF_RP_ONE=again",
      ],
      { env: { ...CLEAN_ENV, CF_RP_INHERITED: "from the shell" } },
    );
    await gateway.register(0);
    await gateway.openSession(0, "s1");
    expect(await gateway.callText(0, "s1", 1, "env", { name: "CF_RP_ONE" })).toBe("again");
    expect(await gateway.callText(0, "s1", 2, "env", { name: "CF_RP_TWO" })).toBe("a=b c");
    expect(await gateway.callText(0, "s1", 3, "env", { name: "CF_RP_INHERITED" })).toBe("from the shell");
    await p.stop();
  });

  it("rejects an assignment without '=' as a usage error", async () => {
    const p = await startProcess(
      process.execPath,
      [CLI, "--local-stdio", "cat", "--gateway", "http://127.0.0.1:9", "--env", "NOVALUE"],
      { env: CLEAN_ENV },
    );
    expect(await p.exited()).toBe(2);
    expect(p.output().stderr).toContain("expected KEY=VALUE");
    expect(p.output().stderr).toContain("Usage: mcpreverseproxy");
  });
});
