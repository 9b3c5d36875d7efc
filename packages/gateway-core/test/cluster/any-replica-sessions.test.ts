import { setTimeout as sleep } from "node:timers/promises";
import {
  createRedisNamespace,
  type RedisNamespace,
  serviceAvailability,
  stopAllProcesses,
} from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as V1StreamableHTTP } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/index.js";
import { connectClient } from "../mcp/mcp-client.js";
import { type ClusterReplica, redisCacheSettings, startClusterReplica } from "../support/cluster-replica.js";
import { createTestDatabase, type TestDatabase } from "../support/dialect-matrix.js";
import { type RoundRobinProxy, startRoundRobinProxy } from "../support/round-robin-proxy.js";
import { startSampleServer } from "../upstream/sample-server-process.js";

// Two replicas on one PostgreSQL schema and one AUTH_ENCRYPTION_SECRET behind a proxy without
// affinity: every request of a 2025 session lands on the other replica than the one before, and
// the session goes on, because its id carries what a replica needs to rebuild it.

const SECRET = "any-replica-test-secret-any-replica-test";
const ALICE = "alice@example.com";
const VERSION = "2025-06-18";

type Json = Record<string, unknown>;

const postgres = await serviceAvailability("postgres");
const redis = await serviceAvailability("redis");

describe.skipIf(!postgres.available || !redis.available)("2025 sessions on any replica", () => {
  let database: TestDatabase;
  let namespace: RedisNamespace;
  let proxy: RoundRobinProxy;
  const replicas: { gateway: Gateway; base: string }[] = [];
  const clients: { close(): Promise<void> }[] = [];
  let token: string;

  const startReplica = async (): Promise<ClusterReplica> => {
    const replica = await startClusterReplica(database.url, SECRET, redisCacheSettings(namespace));
    replicas.push(replica);
    return replica;
  };

  beforeAll(async () => {
    database = await createTestDatabase("postgres", "any-replica");
    namespace = await createRedisNamespace({ label: "any-replica" });
    const everything = await startSampleServer("@contextforge/server-everything");
    const a = await startReplica();
    await a.gateway.registry.gateways.create({
      name: "everything",
      url: everything.url,
      transport: "STREAMABLEHTTP",
      tags: [],
    });
    // B starts after the registration: it reads the upstream from the shared database.
    await startReplica();
    token = await a.gateway.mintToken(ALICE, 30);
    proxy = await startRoundRobinProxy(replicas.map((replica) => replica.base));
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await proxy?.close();
    await Promise.allSettled(replicas.map((replica) => replica.gateway.stop()));
    await stopAllProcesses();
    await namespace?.cleanup();
    await database?.drop();
  });

  /** One raw 2025 request: its status, session id header and the JSON-RPC messages it carried. */
  const post = async (
    base: string,
    body: Json,
    options: { session?: string; bearer?: string } = {},
  ): Promise<{ status: number; session: string | null; messages: Json[] }> => {
    const response = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${options.bearer ?? token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(options.session === undefined
          ? {}
          : { "mcp-session-id": options.session, "mcp-protocol-version": VERSION }),
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const messages = response.headers.get("content-type")?.startsWith("text/event-stream")
      ? text
          .split("\n")
          .filter((line) => line.startsWith("data: "))
          .map((line) => JSON.parse(line.slice(6)) as Json)
      : text
        ? [JSON.parse(text) as Json]
        : [];
    return { status: response.status, session: response.headers.get("mcp-session-id"), messages };
  };

  /** Opens a session on `base` with a raw handshake; its id. */
  const openSession = async (base: string): Promise<string> => {
    const init = await post(base, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    expect(init.status).toBe(200);
    const session = init.session ?? "";
    expect(session).toMatch(/^[\x21-\x7e]+$/);
    expect(session.length).toBeLessThan(400);
    const initialized = await post(
      base,
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { session },
    );
    expect(initialized.status).toBe(202);
    return session;
  };

  const toolsList = (base: string, session: string, bearer?: string) =>
    post(
      base,
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
      { session, ...(bearer === undefined ? {} : { bearer }) },
    );

  it("serves 4 SDK v2 clients and an SDK v1 client, every request on the next replica: 200 echo calls, progress, no 404", async () => {
    const url = new URL(`${proxy.url}/mcp`);
    const v2 = await Promise.all([1, 2, 3, 4].map(() => connectClient(url.href, token, "2025")));
    const v1 = new V1Client({ name: "v1", version: "1.0.0" });
    await v1.connect(
      new V1StreamableHTTP(url, { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    clients.push(...v2, v1);
    const echo = async (client: Client | V1Client, message: string): Promise<string> => {
      const result = (await client.callTool({ name: "everything-echo", arguments: { message } })) as {
        content: { text?: string }[];
      };
      return result.content[0]?.text ?? "";
    };
    const slow = async (client: Client | V1Client): Promise<{ text: string; progress: number[] }> => {
      const progress: number[] = [];
      const params = { name: "everything-slow", arguments: { steps: 3, stepMs: 20 } };
      const options = { onprogress: (p: { progress: number }) => progress.push(p.progress) };
      const result = (
        client instanceof V1Client
          ? await client.callTool(params, undefined, options)
          : await client.callTool(params, options)
      ) as { content: { text?: string }[] };
      return { text: result.content[0]?.text ?? "", progress };
    };

    const all: (Client | V1Client)[] = [...v2, v1];
    const failures: string[] = [];
    let answered = 0;
    await Promise.all(
      all.map(async (client, c) => {
        for (let i = 0; i < 40; i++) {
          const message = `client ${c} call ${i} ${Math.random().toString(36).slice(2)}`;
          try {
            const text = await echo(client, message);
            if (text === message) answered++;
            else failures.push(`echo ${message} -> ${text}`);
            if (i % 10 === 9) {
              const { text: done, progress } = await slow(client);
              if (done !== "completed 3 steps" || progress.join(",") !== "1,2,3")
                failures.push(`slow -> ${done} [${progress.join(",")}]`);
            }
          } catch (error) {
            failures.push(String(error));
          }
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(answered).toBe(200);
    expect(proxy.statuses.get(404) ?? 0).toBe(0);
    for (const count of proxy.served.values()) expect(count).toBeGreaterThan(100);
    // Each replica rebuilt the sessions it had not opened.
    for (const replica of replicas)
      expect(replica.gateway.sessionCounts().streamableHttp).toBeGreaterThanOrEqual(5);
  });

  it("answers a forged or tampered session id with 404 on every replica", async () => {
    const real = await openSession(replicas[0]?.base ?? "");
    const flipped = `${real.slice(0, 20)}${real[20] === "A" ? "B" : "A"}${real.slice(21)}`;
    const forged = [`s1.${Buffer.alloc(80, 7).toString("base64url")}`, flipped, "not-a-session", `${real}x`];
    for (const replica of replicas)
      for (const session of forged) expect((await toolsList(replica.base, session)).status).toBe(404);
  });

  it("answers another principal presenting someone's session id with 404 on every replica", async () => {
    const session = await openSession(replicas[0]?.base ?? "");
    const bob = await replicas[0]?.gateway.mintToken("bob@example.com", 5);
    for (const replica of replicas) expect((await toolsList(replica.base, session, bob)).status).toBe(404);
    // Alice still can, on either.
    for (const replica of replicas) expect((await toolsList(replica.base, session)).status).toBe(200);
  });

  it("a session DELETEd on one replica is gone on both, whether the other held a copy or not", async () => {
    const [a, b] = replicas.map((replica) => replica.base) as [string, string];
    for (const copyOnB of [true, false]) {
      const session = await openSession(a);
      if (copyOnB) expect((await toolsList(b, session)).status).toBe(200);
      const deleted = await fetch(`${a}/mcp`, {
        method: "DELETE",
        headers: {
          authorization: `Bearer ${token}`,
          "mcp-session-id": session,
          "mcp-protocol-version": VERSION,
        },
      });
      expect(deleted.status).toBe(200);
      expect((await toolsList(a, session)).status).toBe(404);
      const started = Date.now();
      while ((await toolsList(b, session)).status !== 404) {
        if (Date.now() - started > 2_000) throw new Error("B still serves the deleted session");
        await sleep(25);
      }
    }
  });

  it("a 2025-03-26 session rebuilt on another replica keeps its negotiated version (batches accepted)", async () => {
    const [a, b] = replicas.map((replica) => replica.base) as [string, string];
    const init = await post(a, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "old", version: "1" } },
    });
    const session = init.session ?? "";
    // 2025-03-26 accepts batches; a session rebuilt on B must still know it negotiated that version.
    const response = await fetch(`${b}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": session,
      },
      body: JSON.stringify([
        { jsonrpc: "2.0", id: 5, method: "ping" },
        { jsonrpc: "2.0", id: 6, method: "tools/list" },
      ]),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('"id":5');
    expect(text).toContain('"id":6');
  });
});
