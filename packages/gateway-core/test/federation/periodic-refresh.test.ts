import { afterAll, beforeAll, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { closeAllHttpTestServers } from "../upstream/http-test-server.js";
import {
  initializeWith,
  type JsonRpcTestServer,
  startJsonRpcTestServer,
} from "../upstream/json-rpc-test-server.js";

// `refresh_interval_seconds`: the health round re-discovers a gateway once its interval has
// elapsed since its last discovery. The upstream changes its tool list without a list_changed
// notification, so only the periodic refresh can pick the new tool up.

const SECRET = "refresh-secret-refresh-secret-refresh-secret";
const tools = [{ name: "alpha", inputSchema: { type: "object" } }];
let upstream: JsonRpcTestServer;
let gateway: Gateway;

beforeAll(async () => {
  upstream = await startJsonRpcTestServer({
    initialize: initializeWith({ tools: {} }),
    "tools/list": () => ({ tools }),
    ping: () => ({}),
  });
  gateway = createGateway({
    settings: loadSettings({
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      AUTH_ENCRYPTION_SECRET: SECRET,
      HEALTH_CHECK_INTERVAL: "0",
    }),
  });
  await gateway.prepare();
});
afterAll(async () => {
  await gateway?.stop();
  await closeAllHttpTestServers();
});

async function toolNames(gatewayId: string): Promise<string[]> {
  const page = await gateway.registry.tools.list({
    includeInactive: false,
    tags: [],
    limit: 500,
    cursor: undefined,
    includePagination: false,
    gatewayId,
    teamId: undefined,
    visibility: undefined,
  });
  return page.items.map((tool) => tool.name).sort();
}

/** Pretends the last discovery happened `seconds` ago. */
async function lastRefreshedAgo(gatewayId: string, seconds: number): Promise<void> {
  await gateway.database.db
    .updateTable("gateways")
    .set({ last_refresh_at: new Date(Date.now() - seconds * 1000).toISOString() })
    .where("id", "=", gatewayId)
    .execute();
}

it("re-discovers a gateway once its refresh interval has elapsed, and not before", async () => {
  const created = await gateway.registry.gateways.create({
    name: "changing",
    url: upstream.url,
    transport: "STREAMABLEHTTP",
    refresh_interval_seconds: 60,
    tags: [],
  });
  expect(created.lastRefreshAt).not.toBeNull();
  expect(await toolNames(created.id)).toEqual(["changing-alpha"]);
  tools.push({ name: "beta", inputSchema: { type: "object" } });

  await lastRefreshedAgo(created.id, 30);
  const early = await gateway.runHealthChecks();
  expect(early.gateways).toEqual([expect.objectContaining({ check: "answered", refreshed: false })]);
  expect(await toolNames(created.id)).toEqual(["changing-alpha"]);

  await lastRefreshedAgo(created.id, 61);
  const due = await gateway.runHealthChecks();
  expect(due.gateways).toEqual([expect.objectContaining({ check: "answered", refreshed: true })]);
  expect(await toolNames(created.id)).toEqual(["changing-alpha", "changing-beta"]);
  const after = await gateway.registry.gateways.get(created.id);
  expect(Date.parse(String(after.lastRefreshAt))).toBeGreaterThan(Date.now() - 5_000);

  // Just refreshed: the next round leaves it alone.
  const next = await gateway.runHealthChecks();
  expect(next.gateways).toEqual([expect.objectContaining({ refreshed: false })]);
});

it("never refreshes a gateway without a refresh interval", async () => {
  const created = await gateway.registry.gateways.create({
    name: "steady",
    url: upstream.url,
    transport: "STREAMABLEHTTP",
    tags: [],
  });
  await lastRefreshedAgo(created.id, 86_400);
  const round = await gateway.runHealthChecks();
  expect(round.gateways.find((g) => g.gatewayId === created.id)).toMatchObject({ refreshed: false });
});
