import { setTimeout as sleep } from "node:timers/promises";
import { McpServer } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryCache } from "../../cache/memory-cache.js";
import { LegacySessions } from "./legacy-sessions.js";
import { SessionActivity } from "./session-activity.js";
import { createSessionTokens, sessionTokenKey } from "./session-token.js";

// Two LegacySessions sharing a key and a cache stand for two replicas: a session opened on one
// is rebuilt on the other, and an id older than the idle timeout is rebuilt only if the session
// was used lately somewhere (the shared activity mark), never if it was abandoned.

const VERSION = "2025-06-18";
const IDLE_MS = 300;

const tokens = createSessionTokens([sessionTokenKey("legacy-sessions-test-secret-legacy")]);
const cache = createMemoryCache({ ttlSeconds: 60, maxItemBytes: 10_000, maxItems: 100 });
const replicas: LegacySessions[] = [];

const replica = (): LegacySessions => {
  const sessions = new LegacySessions({
    maxSessions: 100,
    idleTimeoutMs: IDLE_MS,
    tokens,
    activity: new SessionActivity(cache, IDLE_MS),
  });
  replicas.push(sessions);
  return sessions;
};

const server = () => new McpServer({ name: "test", version: "1.0.0" }).server;

const post = (sessions: LegacySessions, body: unknown, session?: string): Promise<Response> =>
  sessions.fetch(
    new Request("http://localhost/mcp", {
      method: "POST",
      headers: {
        accept: "application/json, text/event-stream",
        "content-type": "application/json",
        ...(session === undefined ? {} : { "mcp-session-id": session, "mcp-protocol-version": VERSION }),
      },
      body: JSON.stringify(body),
    }),
    "alice",
    "",
    server,
  );

const open = async (sessions: LegacySessions): Promise<string> => {
  const init = await post(sessions, {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: "t", version: "1" } },
  });
  await init.text();
  const id = init.headers.get("mcp-session-id") ?? "";
  await (await post(sessions, { jsonrpc: "2.0", method: "notifications/initialized" }, id)).text();
  return id;
};

const ping = async (sessions: LegacySessions, session: string): Promise<number> => {
  const response = await post(sessions, { jsonrpc: "2.0", id: 9, method: "ping" }, session);
  await response.text();
  return response.status;
};

afterEach(async () => {
  await Promise.all(replicas.splice(0).map((sessions) => sessions.close()));
  await cache.clear();
});

describe("2025 sessions older than the idle timeout", () => {
  it("are rebuilt on another replica while in use, and refused there once abandoned", async () => {
    const a = replica();
    const b = replica();
    const used = await open(a);
    const abandoned = await open(a);
    // Both ids are now older than the idle timeout; the activity marks live a second.
    await sleep(IDLE_MS + 100);
    expect(await ping(b, used)).toBe(200);
    expect(b.size).toBe(1);
    await sleep(1_100);
    expect(await ping(b, abandoned)).toBe(404);
  });

  it("are refused on every replica after a DELETE, young or old", async () => {
    const a = replica();
    const b = replica();
    const id = await open(a);
    const deleted = await a.fetch(
      new Request("http://localhost/mcp", {
        method: "DELETE",
        headers: { "mcp-session-id": id, "mcp-protocol-version": VERSION },
      }),
      "alice",
      "",
      server,
    );
    expect(deleted.status).toBe(200);
    b.forget(id);
    expect(await ping(b, id)).toBe(404);
  });
});
