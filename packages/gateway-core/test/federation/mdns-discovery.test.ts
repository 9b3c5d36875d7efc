import { randomUUID } from "node:crypto";
import { stopAllProcesses } from "@contextforge/testing";
import { Bonjour, type Service } from "bonjour-service";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import type { GatewayRead } from "../../src/registry/gateways/gateway-schema.js";
import { startGatewayFixture } from "../mcp/gateway-fixture.js";

// Real multicast DNS: the gateways and the test's browser talk over the host's multicast-capable
// interface, looped back to this host (IP_MULTICAST_LOOP). Each gateway advertises a unique
// instance name, and the assertions look for the other gateway's federation id only: other
// `_mcp._tcp` services on the network may be found too and must not disturb the test.

const SECRET = "mdns-test-secret-mdns-test-secret-mdns";
const started: Gateway[] = [];

afterAll(async () => {
  await Promise.allSettled(started.map((gateway) => gateway.stop()));
  await stopAllProcesses();
});

async function startPeer(settings: Record<string, string>): Promise<{ gateway: Gateway; base: string }> {
  const gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      AUTH_ENCRYPTION_SECRET: SECRET,
      LOG_LEVEL: "silent",
      MDNS_SERVICE_NAME: `cf-test-${randomUUID().slice(0, 8)}`,
      ...settings,
    }),
  });
  started.push(gateway);
  return { gateway, base: (await gateway.start()).url };
}

async function gatewaysOf(gateway: Gateway): Promise<GatewayRead[]> {
  const page = await gateway.registry.gateways.list({
    includeInactive: true,
    tags: [],
    limit: 500,
    cursor: undefined,
    includePagination: false,
    gatewayId: undefined,
    teamId: undefined,
    visibility: undefined,
  });
  return page.items;
}

/** Waits for `gateway` to have registered the peer with `federationId`. */
function registeredPeer(gateway: Gateway, federationId: string): Promise<GatewayRead> {
  return vi.waitFor(
    async () => {
      const found = (await gatewaysOf(gateway)).find((g) => g.federationId === federationId);
      if (!found) throw new Error(`peer ${federationId} not registered yet`);
      return found;
    },
    { timeout: 15_000, interval: 100 },
  );
}

describe("mDNS/DNS-SD", () => {
  it("advertises _mcp._tcp with the MCP URL, the protocol versions and the federation id", async () => {
    const { gateway, base } = await startPeer({ MDNS_ENABLED: "true" });
    const bonjour = new Bonjour({}, () => {});
    try {
      const service = await new Promise<Service>((resolve) => {
        const browser = bonjour.find({ type: "mcp" }, (found) => {
          if (found.name !== gateway.settings.MDNS_SERVICE_NAME) return;
          browser.stop();
          resolve(found);
        });
      });
      expect(service.protocol).toBe("tcp");
      expect(service.port).toBe(Number(new URL(base).port));
      expect(service.txt).toMatchObject({
        app: "contextforge",
        id: gateway.federationId,
        url: `${base}/mcp`,
        path: "/mcp",
        versions: "2024-11-05,2025-03-26,2025-06-18,2025-11-25,2026-07-28",
      });
    } finally {
      await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
    }
    // Stopping sends goodbyes: the advertisement is withdrawn.
    await gateway.stop();
  });

  it("lets two gateways find each other and register each other pending approval, never themselves", async () => {
    const both = { MDNS_ENABLED: "true", MDNS_DISCOVERY_ENABLED: "true" };
    // B auto-approves, but A wants credentials (AUTH_REQUIRED): B keeps A pending, with the reason.
    const [a, b] = await Promise.all([startPeer(both), startPeer({ ...both, MDNS_AUTO_APPROVE: "true" })]);
    const [bOnA, aOnB] = await Promise.all([
      registeredPeer(a.gateway, b.gateway.federationId),
      registeredPeer(b.gateway, a.gateway.federationId),
    ]);
    expect(bOnA).toMatchObject({
      url: `${b.base}/mcp`,
      transport: "STREAMABLEHTTP",
      enabled: false,
      tags: ["mdns"],
      lastError: null,
    });
    expect(aOnB).toMatchObject({ url: `${a.base}/mcp`, enabled: false, tags: ["mdns"] });
    expect(aOnB.lastError).toMatch(/401|unauthori[sz]ed|credentials/i);
    for (const { gateway } of [a, b]) {
      const own = (await gatewaysOf(gateway)).filter((g) => g.federationId === gateway.federationId);
      expect(own).toEqual([]);
    }
    await Promise.all([a.gateway.stop(), b.gateway.stop()]);
  });

  it("with auto-approve, registers a reachable peer enabled, its tools discovered and callable", async () => {
    const fixture = await startGatewayFixture({
      LOG_LEVEL: "silent",
      AUTH_REQUIRED: "false",
      MDNS_ENABLED: "true",
      MDNS_SERVICE_NAME: `cf-test-${randomUUID().slice(0, 8)}`,
    });
    started.push(fixture.gateway);
    const { gateway, base } = await startPeer({ MDNS_DISCOVERY_ENABLED: "true", MDNS_AUTO_APPROVE: "true" });
    const peer = await registeredPeer(gateway, fixture.gateway.federationId);
    expect(peer).toMatchObject({ enabled: true, reachable: true, url: `${fixture.base}/mcp` });
    const tools = await gateway.registry.tools.list({
      includeInactive: false,
      tags: [],
      limit: 500,
      cursor: undefined,
      includePagination: false,
      gatewayId: peer.id,
      teamId: undefined,
      visibility: undefined,
    });
    const echo = tools.items.find((t) => t.originalName === "everything-echo");
    expect(echo).toBeDefined();
    const response = await fetch(`${base}/rpc`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${await gateway.mintToken("alice@example.com", 30)}`,
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: echo?.name, arguments: { message: "found by mDNS" } },
      }),
    });
    expect(await response.json()).toMatchObject({
      result: { content: [{ type: "text", text: "found by mDNS" }] },
    });
  });
});
