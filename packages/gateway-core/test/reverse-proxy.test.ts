import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { type ManagedProcess, startProcess, stopAllProcesses } from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../src/index.js";
import { connectClient } from "./mcp/mcp-client.js";
import { eventually, everythingStdioArgs, pidsWith } from "./support/stdio-processes.js";

// The built CLI of the sibling package, by path: gateway-core never depends on the reverse proxy.
const PROXY_CLI = fileURLToPath(new URL("../../reverse-proxy/dist/cli.js", import.meta.url));
const SECRET = "reverse-proxy-test-secret-reverse-proxy";
const marker = `cf-reverse-${randomUUID()}`;
let gateway: Gateway;
let base: string;
let token: string;
const clients: Client[] = [];

interface GatewayRow {
  id: string;
  slug: string;
  transport: string;
  url: string;
  reachable: boolean;
}

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function startProxy(name: string, proxyToken = token): Promise<ManagedProcess> {
  const local = [process.execPath, ...everythingStdioArgs(marker)].map((word) => `'${word}'`).join(" ");
  return startProcess(process.execPath, [
    PROXY_CLI,
    "--local-stdio",
    local,
    "--gateway",
    base,
    "--token",
    proxyToken,
    "--name",
    name,
    "--reconnect-delay",
    "0.2",
    "--heartbeat",
    "1",
    "--log-level",
    "debug",
  ]);
}

async function gatewayNamed(slug: string): Promise<GatewayRow | undefined> {
  const { body } = await api<GatewayRow[]>("GET", "/gateways");
  return body.find((row) => row.slug === slug);
}

async function waitForReachable(slug: string, reachable: boolean): Promise<void> {
  const end = Date.now() + 10_000;
  for (;;) {
    if ((await gatewayNamed(slug))?.reachable === reachable) return;
    if (Date.now() > end) throw new Error(`gateway ${slug} never became reachable=${reachable}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const textOf = (result: { content?: unknown }): string =>
  (result.content as { text?: string }[] | undefined)?.[0]?.text ?? "";

beforeAll(async () => {
  gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      AUTH_ENCRYPTION_SECRET: SECRET,
      HEALTH_CHECK_INTERVAL: "0",
      MCPGATEWAY_REVERSE_PROXY_ENABLED: "true",
    }),
  });
  base = (await gateway.start()).url;
  token = await gateway.mintToken("admin@example.com", 30);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await stopAllProcesses();
  await gateway?.stop();
});

describe("mcpreverseproxy through /reverse-proxy/ws", () => {
  it("publishes a local stdio server: its tools are listed and callable on /mcp", async () => {
    const proxy = await startProxy("local-everything");
    await proxy.waitForOutput(/registered as local-everything/, 20_000);

    const row = await gatewayNamed("local-everything");
    expect(row).toMatchObject({ transport: "REVERSE", url: "reverse://local-everything", reachable: true });
    const tools = await api<{ name: string }[]>("GET", "/tools");
    expect(tools.body.map((tool) => tool.name)).toContain("local-everything-echo");

    const client = await connectClient(`${base}/mcp`, token, "2025");
    clients.push(client);
    const listed = (await client.listTools()).tools.map((tool) => tool.name);
    expect(listed).toContain("local-everything-echo");
    const echo = await client.callTool({
      name: "local-everything-echo",
      arguments: { message: "via tunnel" },
    });
    expect(textOf(echo)).toBe("via tunnel");

    // Killed without a goodbye: the gateway marks it unreachable, and calls fail fast.
    proxy.child.kill("SIGKILL");
    await waitForReachable("local-everything", false);
    const started = performance.now();
    const down = await client
      .callTool({ name: "local-everything-echo", arguments: { message: "while down" } })
      .then(
        (result) => (result.isError ? textOf(result) : "answered"),
        (error: unknown) => String(error),
      );
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(down).not.toBe("answered");
    expect(down).toMatch(/unreachable/);

    // The proxy comes back: same gateway, reachable again, callable again.
    const again = await startProxy("local-everything");
    await again.waitForOutput(/registered as local-everything/, 20_000);
    await waitForReachable("local-everything", true);
    expect((await gatewayNamed("local-everything"))?.id).toBe(row?.id);
    // What the proxy decides cannot be changed through the API; the gateway's own fields can.
    const renamed = await api("PUT", `/gateways/${row?.id}`, { name: "other-name" });
    expect(renamed.status).toBe(422);
    const described = await api<{ description: string }>("PUT", `/gateways/${row?.id}`, {
      description: "the laptop's tools",
    });
    expect(described.status).toBe(200);
    expect(described.body.description).toBe("the laptop's tools");
    const back = await client.callTool({ name: "local-everything-echo", arguments: { message: "back" } });
    expect(textOf(back)).toBe("back");

    await again.stop();
    await waitForReachable("local-everything", false);
    expect(await eventually(() => pidsWith(marker).length === 0, 10_000)).toBe(true);
  }, 90_000);

  it("refuses REVERSE in POST /gateways: only a connected proxy registers one", async () => {
    const { status } = await api("POST", "/gateways", {
      name: "fake",
      url: "http://127.0.0.1:1/mcp",
      transport: "REVERSE",
    });
    expect(status).toBe(422);
  });

  it("ends the proxy with exit code 1 when the gateway refuses its token", async () => {
    const proxy = await startProxy("refused", "not-a-token");
    expect(await proxy.exited()).toBe(1);
    expect(proxy.output().stderr).toMatch(/refused the token \(HTTP 401\)/);
    expect(await gatewayNamed("refused")).toBeUndefined();
    expect(await eventually(() => pidsWith(marker).length === 0, 10_000)).toBe(true);
  }, 30_000);

  it("ends the proxy when its name belongs to a gateway that is not a reverse proxy", async () => {
    const created = await api<{ id: string }>("POST", "/gateways", {
      name: "taken",
      transport: "STDIO",
      command: process.execPath,
      args: everythingStdioArgs(marker),
    });
    expect(created.status).toBe(200);
    const proxy = await startProxy("taken");
    expect(await proxy.exited()).toBe(1);
    expect(proxy.output().stderr).toMatch(/exists and is not a reverse proxy/);
    expect((await gatewayNamed("taken"))?.transport).toBe("STDIO");
    await api("DELETE", `/gateways/${created.body.id}`);
  }, 30_000);
});
