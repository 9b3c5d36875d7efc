import { stopAllProcesses } from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVERY_ACTIVE_ITEM, type GatewayFixture, startGatewayFixture } from "./gateway-fixture.js";
import { connectClient } from "./mcp-client.js";

// MCP lists are built once per registry snapshot and visibility, then served from memory: these
// tests pin down that a cached list never outlives a registry change and is never handed to a
// caller that sees other items.

const ALL = EVERY_ACTIVE_ITEM;

let fx: GatewayFixture;
let privateGatewayId: string;
const clients: Client[] = [];

beforeAll(async () => {
  // The default MCP_PAGE_SIZE: every list below fits in one page.
  fx = await startGatewayFixture();
  const [everything] = (await fx.gateway.registry.gateways.list(ALL)).items;
  // The same upstream again, private to alice (the fixture's token): its tools are `mine-*`.
  const mine = await fx.gateway.registry.gateways.create({
    name: "mine",
    url: everything?.url ?? "",
    transport: "STREAMABLEHTTP",
    tags: [],
    visibility: "private",
    owner_email: "alice@example.com",
  });
  privateGatewayId = mine.id;
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await fx?.gateway.stop();
  await stopAllProcesses();
});

async function client(token: string): Promise<Client> {
  const c = await connectClient(`${fx.base}/mcp`, token, "2025");
  clients.push(c);
  return c;
}

/** One tools/list request (the cursor "" asks for the first page only). */
async function listedNames(c: Client): Promise<string[]> {
  const page = await c.listTools({ cursor: "" });
  expect(page.nextCursor).toBeUndefined();
  return page.tools.map((tool) => tool.name);
}

describe("cached MCP lists", () => {
  it("never hands one principal's list to another that sees other items", async () => {
    const alice = await client(fx.token);
    const bob = await client(await fx.gateway.mintToken("bob@example.com", 30));
    // Interleaved, so each list is served while the other principal's is cached.
    for (let round = 0; round < 3; round++) {
      const aliceNames = await listedNames(alice);
      const bobNames = await listedNames(bob);
      expect(aliceNames).toContain("mine-echo");
      expect(aliceNames).toContain("everything-echo");
      expect(bobNames).toContain("everything-echo");
      expect(bobNames.filter((name) => name.startsWith("mine-"))).toEqual([]);
      expect(aliceNames.length).toBeGreaterThan(bobNames.length);
    }
  });

  it("shows a registry change on the very next list", async () => {
    const c = await client(fx.token);
    const before = await listedNames(c);
    expect(before).toContain("everything-echo");
    const echo = (await fx.gateway.registry.tools.list(ALL)).items.find((t) => t.name === "everything-echo");
    await fx.gateway.registry.tools.setEnabled(echo?.id ?? "", false);
    try {
      const after = await listedNames(c);
      expect(after).not.toContain("everything-echo");
      expect(after).toHaveLength(before.length - 1);
    } finally {
      await fx.gateway.registry.tools.setEnabled(echo?.id ?? "", true);
    }
    expect(await listedNames(c)).toEqual(before);
  });

  it("shows a change of visibility on the very next list of each principal", async () => {
    const bob = await client(await fx.gateway.mintToken("bob@example.com", 30));
    expect((await listedNames(bob)).some((name) => name.startsWith("mine-"))).toBe(false);
    const mineEcho = (
      await fx.gateway.registry.tools.list({ ...ALL, gatewayId: privateGatewayId })
    ).items.find((t) => t.name === "mine-echo");
    await fx.gateway.registry.tools.update(mineEcho?.id ?? "", { visibility: "public" });
    try {
      expect((await listedNames(bob)).filter((name) => name.startsWith("mine-"))).toEqual(["mine-echo"]);
    } finally {
      await fx.gateway.registry.tools.update(mineEcho?.id ?? "", { visibility: "private" });
    }
    expect((await listedNames(bob)).some((name) => name.startsWith("mine-"))).toBe(false);
  });
});
