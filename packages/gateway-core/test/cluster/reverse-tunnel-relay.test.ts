import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  createRedisNamespace,
  type ManagedProcess,
  type RedisNamespace,
  serviceAvailability,
  startProcess,
  stopAllProcesses,
} from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/index.js";
import { connectClient } from "../mcp/mcp-client.js";
import { type ClusterReplica, redisCacheSettings, startClusterReplica } from "../support/cluster-replica.js";
import { createTestDatabase, type TestDatabase } from "../support/dialect-matrix.js";
import { eventually, everythingStdioArgs } from "../support/stdio-processes.js";

// A reverse proxy connects to one replica; the others reach its server through that replica,
// over the bus: calls, discovery and health checks work wherever they run, and stop at once
// (unreachable) when the proxy goes.

const PROXY_CLI = fileURLToPath(new URL("../../../reverse-proxy/dist/cli.js", import.meta.url));
const SECRET = "tunnel-relay-test-secret-tunnel-relay";
const ADMIN = "admin@example.com";
const marker = `cf-tunnel-relay-${randomUUID()}`;

const postgres = await serviceAvailability("postgres");
const redis = await serviceAvailability("redis");

describe.skipIf(!postgres.available || !redis.available)("reverse proxy tunnels on any replica", () => {
  let database: TestDatabase;
  let namespace: RedisNamespace;
  const replicas: { gateway: Gateway; base: string }[] = [];
  const clients: Client[] = [];
  let token: string;
  let proxy: ManagedProcess;

  const startReplica = async (): Promise<ClusterReplica> => {
    const replica = await startClusterReplica(database.url, SECRET, {
      ...redisCacheSettings(namespace),
      MCPGATEWAY_REVERSE_PROXY_ENABLED: "true",
    });
    replicas.push(replica);
    return replica;
  };

  beforeAll(async () => {
    database = await createTestDatabase("postgres", "tunnel-relay");
    namespace = await createRedisNamespace({ label: "tunnel-relay" });
    const a = await startReplica();
    await startReplica();
    token = await a.gateway.mintToken(ADMIN, 30);
    const local = [process.execPath, ...everythingStdioArgs(marker)].map((word) => `'${word}'`).join(" ");
    proxy = await startProcess(process.execPath, [
      PROXY_CLI,
      ...["--local-stdio", local, "--gateway", a.base, "--token", token, "--name", "behind-nat"],
      ...["--reconnect-delay", "0.2", "--log-level", "debug"],
    ]);
    if (!(await eventually(() => /registered as /.test(proxy.output().stderr), 20_000)))
      throw new Error(`the proxy did not register:\n${proxy.output().stderr}`);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await Promise.allSettled(replicas.map((replica) => replica.gateway.stop()));
    await stopAllProcesses();
    await namespace?.cleanup();
    await database?.drop();
  });

  const connect = async (base: string): Promise<Client> => {
    const client = await connectClient(`${base}/mcp`, token, "2025");
    clients.push(client);
    return client;
  };

  const echo = async (client: Client, message: string): Promise<unknown> =>
    client.callTool({ name: "behind-nat-echo", arguments: { message } });

  it("serves calls through the tunnel from the replica it is not connected to", async () => {
    const b = await connect(replicas[1]?.base as string);
    expect((await b.listTools()).tools.map((tool) => tool.name)).toContain("behind-nat-echo");
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => echo(b, `through the bus ${i}`)));
    expect(answers.map((answer) => (answer as { content: { text: string }[] }).content[0]?.text)).toEqual(
      Array.from({ length: 20 }, (_, i) => `through the bus ${i}`),
    );
    // Progress from the proxy's server travels back the same way.
    const progress: number[] = [];
    const slow = await b.callTool(
      { name: "behind-nat-slow", arguments: { steps: 3, stepMs: 20 } },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect((slow as { content: { text: string }[] }).content[0]?.text).toBe("completed 3 steps");
    expect(progress).toEqual([1, 2, 3]);
  });

  it("keeps the tunnel's gateway reachable when the other replica runs the health checks", async () => {
    const round = await replicas[1]?.gateway.runHealthChecks();
    expect(round?.gateways.find((outcome) => outcome.slug === "behind-nat")).toMatchObject({
      check: "answered",
      reachable: true,
    });
  });

  it("fails calls from the other replica fast once the proxy is gone", async () => {
    const b = await connect(replicas[1]?.base as string);
    expect(await echo(b, "before")).toMatchObject({ content: [{ text: "before" }] });
    await proxy.stop();
    const started = Date.now();
    const after = await b.callTool({ name: "behind-nat-echo", arguments: { message: "after" } }).then(
      (result) => JSON.stringify(result),
      (error: unknown) => String(error),
    );
    expect(after).toMatch(/unreachable|not connected|not found|Unknown tool/i);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
