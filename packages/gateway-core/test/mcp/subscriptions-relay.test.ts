import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import type { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { seedUser } from "../support/auth-fixtures.js";
import { connectClient } from "./mcp-client.js";

const require = createRequire(import.meta.url);
const EVERYTHING = join(
  dirname(require.resolve("@contextforge/server-everything/package.json")),
  "dist",
  "cli.js",
);
const WATCHED = "test://watched-resource";

afterAll(async () => {
  await stopAllProcesses();
});

/** Polls until `check` holds (or fails the test after `timeoutMs`). */
async function eventually(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A 2025 client of the gateway recording the change notifications it receives. */
async function watchingClient(url: string, token: string) {
  const client = await connectClient(url, token, "2025");
  const updates: string[] = [];
  const toolLists: number[] = [];
  client.setNotificationHandler("notifications/resources/updated", (n) => {
    updates.push(n.params.uri);
  });
  client.setNotificationHandler("notifications/tools/list_changed", () => {
    toolLists.push(Date.now());
  });
  return { client, updates, toolLists };
}

/** Every tool name the gateway lists to `client`, all pages. */
async function toolNames(client: Client): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    names.push(...page.tools.map((t) => t.name));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return names;
}

/** Ends the client's gateway session (DELETE), as a client that is done does. */
async function endSession(client: Client): Promise<void> {
  await (client.transport as StreamableHTTPClientTransport).terminateSession();
  await client.close();
}

// The same behaviour whichever era the gateway speaks upstream: resources/subscribe on a 2025
// session, or a subscriptions/listen stream on a 2026 connection.
describe.each([
  { upstreamEra: "2026-07-28", args: [] as string[] },
  { upstreamEra: "2025 only", args: ["--legacy-only"] },
])("subscriptions and list_changed through the gateway, upstream $upstreamEra", ({ args }) => {
  let gateway: Gateway;
  let url: string;
  let token: string;
  /** Changing a tool takes a right over it: alice may use the public tools, the admin change them. */
  let adminToken: string;
  let gatewayId: string;
  const open: Client[] = [];

  beforeAll(async () => {
    const port = await getFreePort();
    await startProcess(
      process.execPath,
      [EVERYTHING, "--transport", "http", "--port", String(port), ...args],
      {
        readyPattern: /listening on/,
      },
    );
    gateway = createGateway({
      settings: loadSettings({
        PORT: "0",
        LOG_LEVEL: "silent",
        DATABASE_URL: "sqlite:///:memory:",
        JWT_SECRET_KEY: "subscriptions-test-secret-subscriptions",
        AUTH_ENCRYPTION_SECRET: "subscriptions-test-secret-subscriptions",
      }),
    });
    const base = (await gateway.start()).url;
    url = `${base}/mcp`;
    // A stored user (a bare JWT subject may use public items but not register any).
    await seedUser(gateway.database.db, "alice@example.com");
    gateway.auth.changed();
    token = await gateway.mintToken("alice@example.com", 30);
    adminToken = await gateway.mintToken("admin@example.com", 30);
    const created = await gateway.registry.gateways.create({
      name: "everything",
      url: `http://127.0.0.1:${port}/mcp`,
      transport: "STREAMABLEHTTP",
      tags: [],
    });
    gatewayId = created.id;
  });

  afterAll(async () => {
    await Promise.allSettled(open.map((client) => client.close()));
    await gateway?.stop();
  });

  const connect = async () => {
    const watcher = await watchingClient(url, token);
    open.push(watcher.client);
    return watcher;
  };
  const touch = (client: Client) =>
    client.callTool({ name: "everything-update-watched-resource", arguments: {} });

  it("delivers resources/updated to the subscriber only, and stops after unsubscribe", async () => {
    const subscriber = await connect();
    const bystander = await connect();
    await subscriber.client.subscribeResource({ uri: WATCHED });
    expect(gateway.upstreamSubscriptions(gatewayId)).toEqual([WATCHED]);

    await touch(bystander.client);
    await eventually(() => subscriber.updates.length === 1, "the update");
    expect(subscriber.updates).toEqual([WATCHED]);
    await sleep(300);
    expect(bystander.updates).toEqual([]);

    await subscriber.client.unsubscribeResource({ uri: WATCHED });
    expect(gateway.upstreamSubscriptions(gatewayId)).toEqual([]);
    await touch(bystander.client);
    await sleep(500);
    expect(subscriber.updates).toEqual([WATCHED]);
  });

  it("keeps one upstream subscription for many subscribers and releases it when sessions end", async () => {
    const first = await connect();
    const second = await connect();
    await first.client.subscribeResource({ uri: WATCHED });
    await second.client.subscribeResource({ uri: WATCHED });
    expect(gateway.upstreamSubscriptions(gatewayId)).toEqual([WATCHED]);

    await touch(first.client);
    await eventually(() => first.updates.length === 1 && second.updates.length === 1, "both updates");

    await endSession(first.client);
    await eventually(() => gateway.sessionCounts().streamableHttp === open.length - 1, "the session to end");
    expect(gateway.upstreamSubscriptions(gatewayId)).toEqual([WATCHED]);
    await endSession(second.client);
    await eventually(() => gateway.upstreamSubscriptions(gatewayId).length === 0, "the release");
    open.splice(open.indexOf(first.client), 1);
    open.splice(open.indexOf(second.client), 1);
  });

  it("serves 2026 listen streams: subscribed upstream while open, updates and list changes delivered", async () => {
    const client = await connectClient(url, token, "2026");
    open.push(client);
    const heard: string[] = [];
    client.setNotificationHandler("notifications/resources/updated", (n) => {
      heard.push(n.params.uri);
    });
    client.setNotificationHandler("notifications/tools/list_changed", () => {
      heard.push("tools");
    });
    const listen = await client.listen({ toolsListChanged: true, resourceSubscriptions: [WATCHED] });
    expect(listen.honoredFilter).toEqual({ toolsListChanged: true, resourceSubscriptions: [WATCHED] });
    await eventually(
      () => gateway.upstreamSubscriptions(gatewayId).includes(WATCHED),
      "the upstream subscription",
    );

    await touch(client);
    await eventually(() => heard.includes(WATCHED), "the update on the listen stream");
    await client.callTool({ name: "everything-toggle-extra-tool", arguments: {} });
    await eventually(() => heard.includes("tools"), "tools/list_changed on the listen stream", 10_000);
    // Back to the original list for the other tests.
    await client.callTool({ name: "everything-toggle-extra-tool", arguments: {} });
    await eventually(
      () => heard.filter((h) => h === "tools").length === 2,
      "the second list_changed",
      10_000,
    );

    await listen.close();
    await eventually(() => gateway.upstreamSubscriptions(gatewayId).length === 0, "the release");
  });

  it("relays subscriptions of a legacy HTTP+SSE session and releases them when its stream closes", async () => {
    const client = new V1Client({ name: "sse-subscriber", version: "1.0.0" });
    const heard: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      heard.push(n.params.uri);
    });
    await client.connect(
      new SSEClientTransport(new URL(url.replace(/\/mcp$/, "/sse")), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      await client.subscribeResource({ uri: WATCHED });
      await client.callTool({ name: "everything-update-watched-resource", arguments: {} });
      await eventually(() => heard.includes(WATCHED), "the update on the SSE stream");
    } finally {
      await client.close();
    }
    await eventually(() => gateway.upstreamSubscriptions(gatewayId).length === 0, "the release");
  });

  it("refuses a subscription to a URI the view does not serve, as resources/read does", async () => {
    const { client } = await connect();
    const uri = "test://not-served";
    const read = await client.readResource({ uri }).catch((error: unknown) => error);
    const subscribe = await client.subscribeResource({ uri }).catch((error: unknown) => error);
    expect(subscribe).toMatchObject({ code: (read as { code: number }).code, data: { uri } });
    expect(gateway.upstreamSubscriptions(gatewayId)).toEqual([]);
  });

  it("re-discovers the upstream after its tools/list_changed and tells connected sessions", async () => {
    const watcher = await connect();
    const names = () => toolNames(watcher.client);
    expect(await names()).not.toContain("everything-extra-tool");

    await watcher.client.callTool({ name: "everything-toggle-extra-tool", arguments: {} });
    await eventually(() => watcher.toolLists.length > 0, "tools/list_changed", 10_000);
    expect(await names()).toContain("everything-extra-tool");
    const registered = await gateway.registry.tools.list({
      includeInactive: false,
      tags: [],
      limit: 500,
      cursor: undefined,
      includePagination: false,
      gatewayId,
      teamId: undefined,
      visibility: undefined,
    });
    expect(registered.items.map((t) => t.name)).toContain("everything-extra-tool");

    // Back to the original list for the other tests.
    const seen = watcher.toolLists.length;
    await watcher.client.callTool({ name: "everything-toggle-extra-tool", arguments: {} });
    await eventually(() => watcher.toolLists.length > seen, "the second tools/list_changed", 10_000);
    expect(await names()).not.toContain("everything-extra-tool");
  });

  it("tells connected sessions once when a tool is deactivated through the REST API", async () => {
    const watcher = await connect();
    const other = await connect();
    expect(await toolNames(watcher.client)).toContain("everything-echo");
    const base = url.replace(/\/mcp$/, "");
    const tools = (await (
      await fetch(`${base}/tools?include_inactive=false`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { id: string; name: string }[];
    const id = tools.find((t) => t.name === "everything-echo")?.id ?? "";
    const off = await fetch(`${base}/tools/${id}/state?activate=false`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(off.status).toBe(200);
    await eventually(
      () => watcher.toolLists.length === 1 && other.toolLists.length === 1,
      "tools/list_changed",
    );
    expect(await toolNames(watcher.client)).not.toContain("everything-echo");
    await sleep(200);
    expect(watcher.toolLists).toHaveLength(1);

    await fetch(`${base}/tools/${id}/state?activate=true`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}` },
    });
    await eventually(() => watcher.toolLists.length === 2, "tools/list_changed after reactivation");
  });
});
