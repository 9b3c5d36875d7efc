import { randomUUID } from "node:crypto";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { seedUser } from "../support/auth-fixtures.js";
import { eventually, everythingStdioArgs, pidsWith } from "../support/stdio-processes.js";
import { connectClient } from "./mcp-client.js";

// Many short downstream sessions through one stdio upstream: the process count stays within the
// pool's bounds while they run, idles out afterwards, and nothing survives the gateway.

const marker = `cf-stdio-churn-${randomUUID()}`;
const SECRET = "stdio-churn-test-secret-stdio-churn-test";
const SESSIONS = 200;
const CONCURRENCY = 10;
const PER_SERVER = 2;
let gateway: Gateway;
let base: string;
let token: string;
let serverId: string;
let stopped = false;

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
      STDIO_MAX_PROCESSES_PER_SERVER: String(PER_SERVER),
    }),
  });
  base = (await gateway.start()).url;
  // A stored user (a bare JWT subject may use public items but not register any).
  await seedUser(gateway.database.db, "alice@example.com");
  gateway.auth.changed();
  token = await gateway.mintToken("alice@example.com", 30);
  const created = await api<{ id: string }>("POST", "/gateways", {
    name: "churn",
    transport: "STDIO",
    command: process.execPath,
    args: everythingStdioArgs(marker),
  });
  const tools = await api<{ id: string; name: string }[]>("GET", `/tools?gateway_id=${created.id}`);
  const server = await api<{ id: string }>("POST", "/servers", {
    server: { name: "churn-server", associated_tools: [tools.find((t) => t.name === "churn-echo")?.id] },
  });
  serverId = server.id;
  // Discovery's process is gone before the churn starts.
  expect(await eventually(() => pidsWith(marker).length === 0, 10_000)).toBe(true);
});

afterAll(async () => {
  if (!stopped) await gateway?.stop();
});

/** One downstream session: connect a 2025 client, call echo once, end the session, close. */
async function oneSession(n: number): Promise<void> {
  const client = await connectClient(`${base}/servers/${serverId}/mcp`, token, "2025");
  try {
    const message = `churn ${n}`;
    const result = await client.callTool({ name: "churn-echo", arguments: { message } });
    expect(result.content).toEqual([{ type: "text", text: message }]);
  } finally {
    // A well-behaved client ends its session (DELETE); one that only closes leaves it to idle out.
    await (client.transport as StreamableHTTPClientTransport).terminateSession();
    await client.close();
  }
}

describe("stdio upstream under downstream session churn", () => {
  it(`serves ${SESSIONS} sessions, ${CONCURRENCY} at a time, within the pool's process bound`, async () => {
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, pidsWith(marker).length);
    }, 25);
    let next = 0;
    const worker = async () => {
      for (let n = next++; n < SESSIONS; n = next++) await oneSession(n);
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, pidsWith(marker).length);
    expect(peak).toBeGreaterThanOrEqual(1);
    expect(peak).toBeLessThanOrEqual(PER_SERVER);
    expect(gateway.sessionCounts().streamableHttp).toBe(0);
  }, 40_000);

  it("stops the upstream process once it has been idle for STDIO_IDLE_TIMEOUT", async () => {
    expect(await eventually(() => pidsWith(marker).length === 0, 10_000)).toBe(true);
  });

  it("leaves no process behind once the gateway stops", async () => {
    await oneSession(SESSIONS);
    expect(pidsWith(marker).length).toBeGreaterThanOrEqual(1);
    await gateway.stop();
    stopped = true;
    expect(pidsWith(marker)).toEqual([]);
  });
});
