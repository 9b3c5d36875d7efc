import { stopAllProcesses } from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayFixture, startGatewayFixture } from "./gateway-fixture.js";
import { type ClientEra, connectClient } from "./mcp-client.js";

// MCP lists are cut into MCP_PAGE_SIZE pages joined by signed, gateway-minted cursors.

const PAGE_SIZE = 3;
let fx: GatewayFixture;
const clients: Client[] = [];

beforeAll(async () => {
  fx = await startGatewayFixture({ MCP_PAGE_SIZE: String(PAGE_SIZE) });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await fx?.gateway.stop();
  await stopAllProcesses();
});

async function client(era: ClientEra, path = "/mcp"): Promise<Client> {
  const c = await connectClient(`${fx.base}${path}`, fx.token, era);
  clients.push(c);
  return c;
}

async function registeredToolNames(): Promise<string[]> {
  const page = await fx.gateway.registry.tools.list({
    includeInactive: false,
    tags: [],
    limit: 500,
    cursor: undefined,
    includePagination: false,
    gatewayId: undefined,
    teamId: undefined,
    visibility: undefined,
  });
  return page.items.map((tool) => tool.name).sort();
}

async function errorCode(run: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await run();
  } catch (error) {
    return (error as { code?: number }).code;
  }
  return undefined;
}

describe.each(["2025", "2026"] as const)("MCP list pagination, %s client", (era) => {
  it("walks every page: the SDK client's aggregate is the whole list, once each", async () => {
    const c = await client(era);
    const names = (await c.listTools()).tools.map((tool) => tool.name);
    expect(names.length).toBeGreaterThan(PAGE_SIZE * 2);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(await registeredToolNames());
    const resources = (await c.listResources()).resources.map((r) => r.uri);
    const prompts = (await c.listPrompts()).prompts.map((p) => p.name);
    expect(new Set(resources).size).toBe(resources.length);
    expect(new Set(prompts).size).toBe(prompts.length);
    expect(resources.length + prompts.length).toBeGreaterThan(PAGE_SIZE);
  });

  it("serves pages of MCP_PAGE_SIZE with an opaque nextCursor, none on the last page", async () => {
    const c = await client(era);
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      // Without a cursor the SDK client walks every page itself; "" asks for the first one.
      const page = await c.listTools({ cursor: cursor ?? "" });
      sizes.push(page.tools.length);
      if (page.nextCursor !== undefined) expect(page.nextCursor).not.toMatch(/^\d+$/);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(sizes.slice(0, -1).every((size) => size === PAGE_SIZE)).toBe(true);
    expect(sizes.at(-1)).toBeGreaterThan(0);
  });

  it('answers the cursor "" with the first page', async () => {
    const c = await client(era);
    const all = (await c.listTools()).tools;
    const first = await c.listTools({ cursor: "" });
    expect(first.tools).toEqual(all.slice(0, PAGE_SIZE));
    expect(first.nextCursor).toBeDefined();
  });

  it("refuses forged cursors and cursors of another list or endpoint with -32602", async () => {
    const c = await client(era);
    const next = (await c.listTools({ cursor: "" })).nextCursor ?? "";
    expect(await errorCode(() => c.listTools({ cursor: "bm90LW91cnM.x" }))).toBe(-32602);
    expect(await errorCode(() => c.listTools({ cursor: `${next}x` }))).toBe(-32602);
    expect(await errorCode(() => c.listPrompts({ cursor: next }))).toBe(-32602);
    const scoped = await client(era, `/servers/${fx.serverId}/mcp`);
    expect(await errorCode(() => scoped.listTools({ cursor: next }))).toBe(-32602);
  });
});

describe("MCP list pagination across a registry change", () => {
  it("resumes after the last item received, and refuses a cursor whose last item is gone", async () => {
    const c = await client("2025");
    const all = (await c.listTools()).tools.map((tool) => tool.name);
    const first = await c.listTools({ cursor: "" });
    const second = await c.listTools({ cursor: first.nextCursor ?? "" });
    const ids = new Map(
      (
        await fx.gateway.registry.tools.list({
          includeInactive: false,
          tags: [],
          limit: 500,
          cursor: undefined,
          includePagination: false,
          gatewayId: undefined,
          teamId: undefined,
          visibility: undefined,
        })
      ).items.map((tool) => [tool.name, tool.id]),
    );
    // Disabling an item the client already has shifts every offset; the walk still continues
    // right after the last item it received.
    const seen = first.tools[0]?.name ?? "";
    await fx.gateway.registry.tools.setEnabled(ids.get(seen) ?? "", false);
    try {
      const third = await c.listTools({ cursor: second.nextCursor ?? "" });
      expect(third.tools.map((tool) => tool.name)).toEqual(all.slice(PAGE_SIZE * 2, PAGE_SIZE * 3));
      // The last item of page one is gone: its cursor can no longer name a position.
      const lastOfFirst = first.tools.at(-1)?.name ?? "";
      await fx.gateway.registry.tools.setEnabled(ids.get(lastOfFirst) ?? "", false);
      try {
        expect(await errorCode(() => c.listTools({ cursor: first.nextCursor ?? "" }))).toBe(-32602);
      } finally {
        await fx.gateway.registry.tools.setEnabled(ids.get(lastOfFirst) ?? "", true);
      }
    } finally {
      await fx.gateway.registry.tools.setEnabled(ids.get(seen) ?? "", true);
    }
  });
});
