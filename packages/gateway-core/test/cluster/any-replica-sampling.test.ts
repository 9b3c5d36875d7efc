import { setTimeout as sleep } from "node:timers/promises";
import {
  createRedisNamespace,
  type RedisNamespace,
  serviceAvailability,
  stopAllProcesses,
} from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/index.js";
import { connectClient } from "../mcp/mcp-client.js";
import { redisCacheSettings, startClusterReplica } from "../support/cluster-replica.js";
import { createTestDatabase, type TestDatabase } from "../support/dialect-matrix.js";
import { type RoundRobinProxy, startRoundRobinProxy } from "../support/round-robin-proxy.js";
import { type SampleServer, startSampleServer } from "../upstream/sample-server-process.js";

// Two replicas behind a proxy without affinity. A call's sampling request travels on that call's
// response stream from the replica serving it; the client's answer is a new POST, which the
// proxy sends to the other replica. The answer must still reach the call, and only that call.

const SECRET = "any-replica-sampling-secret-any-replica";
const ALICE = "alice@example.com";

const postgres = await serviceAvailability("postgres");
const redis = await serviceAvailability("redis");

describe.skipIf(!postgres.available || !redis.available)("server-to-client requests on any replica", () => {
  let database: TestDatabase;
  let namespace: RedisNamespace;
  let proxy: RoundRobinProxy;
  let everything: SampleServer;
  const gateways: Gateway[] = [];
  const clients: Client[] = [];
  let token: string;

  const startReplica = async (): Promise<string> => {
    const { gateway, base } = await startClusterReplica(database.url, SECRET, redisCacheSettings(namespace));
    gateways.push(gateway);
    return base;
  };

  beforeAll(async () => {
    database = await createTestDatabase("postgres", "any-replica-sampling");
    namespace = await createRedisNamespace({ label: "any-replica-sampling" });
    // A 2025-only upstream: its test_sampling tool sends sampling/createMessage while it runs.
    everything = await startSampleServer("@contextforge/server-everything", ["--legacy-only"]);
    const a = await startReplica();
    await gateways[0]?.registry.gateways.create({
      name: "everything",
      url: everything.url,
      transport: "STREAMABLEHTTP",
      tags: [],
    });
    const b = await startReplica();
    token = (await gateways[0]?.mintToken(ALICE, 30)) ?? "";
    proxy = await startRoundRobinProxy([a, b]);
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await proxy?.close();
    await Promise.allSettled(gateways.map((gateway) => gateway.stop()));
    await stopAllProcesses();
    await namespace?.cleanup();
    await database?.drop();
  });

  /** A 2025 SDK v2 client through the proxy that samples with its own answer. */
  const sampler = async (answer: string): Promise<Client> => {
    const client = await connectClient(`${proxy.url}/mcp`, token, "2025", { sampling: {} });
    client.setRequestHandler("sampling/createMessage", async () => ({
      role: "assistant",
      content: { type: "text", text: answer },
      model: "test",
    }));
    clients.push(client);
    return client;
  };

  it("routes every sampling answer to the call that asked, whichever replica it reaches: 3 clients x 10 calls", async () => {
    const answers = ["answer of client 0", "answer of client 1", "answer of client 2"];
    const samplers = await Promise.all(answers.map(sampler));
    const failures: string[] = [];
    let answered = 0;
    await Promise.all(
      samplers.map(async (client, c) => {
        for (let i = 0; i < 10; i++) {
          try {
            const result = (await client.callTool(
              { name: "everything-test-sampling", arguments: { prompt: `client ${c} call ${i}` } },
              { timeout: 2_500 },
            )) as { content: { text?: string }[] };
            const text = result.content[0]?.text;
            if (text === `LLM response: ${answers[c]}`) answered++;
            else failures.push(`client ${c} call ${i} -> ${text}`);
          } catch (error) {
            failures.push(`client ${c} call ${i}: ${String(error)}`);
          }
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(answered).toBe(30);
    expect(proxy.statuses.get(404) ?? 0).toBe(0);
  }, 40_000);

  it("cancels a call on the replica running it when the cancellation reaches the other one", async () => {
    const client = await sampler("unused");
    const abort = new AbortController();
    const call = client.callTool(
      { name: "everything-slow", arguments: { steps: 100, stepMs: 50 } },
      {
        signal: abort.signal,
        onprogress: (progress) => {
          if (progress.progress >= 2) abort.abort("enough");
        },
      },
    );
    await expect(call).rejects.toThrow();
    // The upstream stops long before its 5 s: the gateway serving the call cancelled it.
    const started = Date.now();
    while (!everything.stderr().includes("slow cancelled after")) {
      if (Date.now() - started > 3_000) throw new Error("the call was not cancelled upstream");
      await sleep(25);
    }
  });
});
