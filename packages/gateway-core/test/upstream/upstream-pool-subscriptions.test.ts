import { setTimeout as sleep } from "node:timers/promises";
import { stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  createUpstreamPool,
  type UpstreamHttpEndpoint,
  type UpstreamNotificationEvent,
  type UpstreamPool,
} from "../../src/mcp/upstream/upstream-pool.js";
import { eventually } from "./http-test-server.js";
import { startSampleServer } from "./sample-server-process.js";

const EVERYTHING = "@contextforge/server-everything";
const WATCHED = "test://watched-resource";
const pools: UpstreamPool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await stopAllProcesses();
});

function newPool(idleTimeoutMs: number): { pool: UpstreamPool; events: UpstreamNotificationEvent[] } {
  const pool = createUpstreamPool({
    defaultTimeoutMs: 10_000,
    clientInfo: { name: "pool-subscriptions-test", version: "1.0.0" },
    idleTimeoutMs,
  });
  pools.push(pool);
  const events: UpstreamNotificationEvent[] = [];
  pool.onNotification((event) => events.push(event));
  return { pool, events };
}

const updates = (events: UpstreamNotificationEvent[]): unknown[] =>
  events.filter((e) => e.method === "notifications/resources/updated").map((e) => e.params.uri);

describe.each([
  ["2026-07-28 (listen stream)", "auto"],
  ["2025-11-25 session (resources/subscribe)", "legacy"],
] as const)("upstream subscriptions against everything, %s", (_label, versionNegotiation) => {
  it("keeps a session with subscriptions open past the idle timeout, and heals it after a crash", async () => {
    const server = await startSampleServer(EVERYTHING);
    const { pool, events } = newPool(200);
    const target: UpstreamHttpEndpoint = {
      gatewayId: "gw-1",
      url: server.url,
      transport: "STREAMABLEHTTP",
      revision: 1,
      versionNegotiation,
    };
    await pool.subscribeResource(target, WATCHED);
    await pool.subscribeResource(target, WATCHED);
    expect(pool.subscribedUris("gw-1")).toEqual([WATCHED]);

    await sleep(500);
    expect(pool.size).toBe(1);
    await pool.callTool(target, "update_watched_resource", {});
    await eventually(() => updates(events).length === 1);
    expect(events[0]).toMatchObject({ gatewayId: "gw-1", params: { uri: WATCHED } });

    // The upstream crashes and comes back: the subscription is made again on a new session.
    await server.kill();
    await server.start();
    const deadline = Date.now() + 10_000;
    while (updates(events).length < 2) {
      if (Date.now() > deadline) throw new Error("no update after the upstream came back");
      await pool.callTool(target, "update_watched_resource", {}).catch(() => {});
      await sleep(200);
    }

    // Ref-counted: the first release keeps it, the second one ends it; the idle session then closes.
    await pool.unsubscribeResource("gw-1", WATCHED);
    expect(pool.subscribedUris("gw-1")).toEqual([WATCHED]);
    await pool.unsubscribeResource("gw-1", WATCHED);
    expect(pool.subscribedUris("gw-1")).toEqual([]);
    await eventually(() => pool.size === 0);
  });
});
