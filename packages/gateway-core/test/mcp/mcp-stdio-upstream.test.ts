import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { seedUser } from "../support/auth-fixtures.js";
import { eventually, everythingStdioArgs, pidsWith } from "../support/stdio-processes.js";
import { type ClientEra, connectClient } from "./mcp-client.js";

const marker = `cf-stdio-mcp-${randomUUID()}`;
const SECRET = "mcp-stdio-test-secret-mcp-stdio-test-secret";
let gateway: Gateway;
let base: string;
let token: string;
let serverId: string;
let upstreamVersion: string;
let stopped = false;
const clients: Client[] = [];

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      AUTH_ENCRYPTION_SECRET: SECRET,
      STDIO_IDLE_TIMEOUT: "1",
    }),
  });
  base = (await gateway.start()).url;
  // A stored user (a bare JWT subject may use public items but not register any).
  await seedUser(gateway.database.db, "alice@example.com");
  gateway.auth.changed();
  token = await gateway.mintToken("alice@example.com", 30);
  const created = await api<{ id: string; protocolVersion: string }>("POST", "/gateways", {
    name: "ev-stdio",
    transport: "STDIO",
    command: process.execPath,
    args: everythingStdioArgs(marker),
    env: { EVERYTHING_TOKEN: "not-for-anyone-else" },
  });
  upstreamVersion = created.protocolVersion;
  const tools = await api<{ id: string; name: string }[]>("GET", `/tools?gateway_id=${created.id}`);
  const echo = tools.find((tool) => tool.name === "ev-stdio-echo");
  const server = await api<{ id: string }>("POST", "/servers", {
    server: { name: "stdio-server", associated_tools: [echo?.id] },
  });
  serverId = server.id;
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  if (!stopped) await gateway?.stop();
});

async function client(era: ClientEra): Promise<Client> {
  const c = await connectClient(`${base}/servers/${serverId}/mcp`, token, era);
  clients.push(c);
  return c;
}

async function echo(era: ClientEra, message: string): Promise<unknown> {
  const result = await (await client(era)).callTool({ name: "ev-stdio-echo", arguments: { message } });
  return result.content;
}

describe("a stdio upstream registered directly, through /servers/{id}/mcp", () => {
  it("negotiated the newest protocol over stdio at discovery (2026-07-28 with this SDK)", () => {
    expect(upstreamVersion).toBe("2026-07-28");
  });

  it("calls echo from 2025 and 2026 clients over one shared stdio process", async () => {
    expect(await echo("2025", "over stdio")).toEqual([{ type: "text", text: "over stdio" }]);
    expect(await echo("2026", "again")).toEqual([{ type: "text", text: "again" }]);
    const pids = pidsWith(marker);
    expect(pids).toHaveLength(1);
    // The registered env reaches the server; the gateway's own environment does not.
    const environ = readFileSync(`/proc/${pids[0]}/environ`, "utf8").split("\0");
    expect(environ).toContain("EVERYTHING_TOKEN=not-for-anyone-else");
    expect(environ.some((line) => line.includes(SECRET))).toBe(false);
  });

  it("stops an idle stdio upstream and starts it again on the next call", async () => {
    const [before] = pidsWith(marker);
    expect(before).toBeDefined();
    expect(await eventually(() => pidsWith(marker).length === 0, 10_000)).toBe(true);
    expect(await echo("2025", "restarted")).toEqual([{ type: "text", text: "restarted" }]);
    const after = pidsWith(marker);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
  });

  it("leaves no process behind once the gateway stops", async () => {
    expect(pidsWith(marker)).toHaveLength(1);
    await Promise.allSettled(clients.map((c) => c.close()));
    await gateway.stop();
    stopped = true;
    expect(pidsWith(marker)).toEqual([]);
  });
});
