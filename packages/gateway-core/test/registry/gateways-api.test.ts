import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { countRows } from "../../src/registry/shared/entity-table.js";
import { describeEachDialect } from "../support/dialect-matrix.js";
import { createTestGateway, type TestGateway } from "../support/test-gateway.js";
import { closeAllHttpTestServers } from "../upstream/http-test-server.js";
import { type LegacyTestServer, startLegacySseServer } from "../upstream/legacy-test-servers.js";

type Json = Record<string, unknown> & { id: string; name: string };

const require = createRequire(import.meta.url);
const bin = (pkg: string) => join(dirname(require.resolve(`${pkg}/package.json`)), "dist", "cli.js");

async function startSample(pkg: string, args: string[] = []): Promise<string> {
  const port = await getFreePort();
  await startProcess(process.execPath, [bin(pkg), "--transport", "http", "--port", String(port), ...args], {
    readyPattern: /listening on/,
  });
  return `http://127.0.0.1:${port}/mcp`;
}

/** Calls a tool directly on an upstream (as another client of it would). */
async function callUpstream(url: string, tool: string): Promise<void> {
  const client = new Client({ name: "test", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  await client.callTool({ name: tool, arguments: {} });
  await client.close();
}

let fastTime: string;
let everything: string;
let sse: LegacyTestServer;
beforeAll(async () => {
  fastTime = await startSample("@contextforge/server-fast-time");
  everything = await startSample("@contextforge/server-everything", ["--page-size", "3"]);
  sse = await startLegacySseServer({ requiredAuthorization: "Bearer upstream-token" });
});
afterAll(async () => {
  await stopAllProcesses();
  await closeAllHttpTestServers();
});

await describeEachDialect("REST API /gateways", (dialect: DialectName) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await createTestGateway(dialect, "gateways");
  });
  afterAll(() => t?.close());

  it("registers fast-time over streamable HTTP and exposes its tools, resource and prompt", async () => {
    const created = await t.json<Json>("POST", "/gateways", {
      name: "Fast Time",
      url: fastTime,
      transport: "STREAMABLEHTTP",
      auth_type: "bearer",
      auth_token: "upstream-secret",
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: "Fast Time",
      slug: "fast-time",
      reachable: true,
      protocolVersion: expect.stringMatching(/^20\d\d-\d\d-\d\d$/),
      capabilities: expect.objectContaining({ tools: expect.any(Object) }),
      authType: "bearer",
      authValue: "*****",
    });
    const tools = await t.json<Json[]>("GET", `/tools?gateway_id=${created.body.id}`);
    expect(tools.body.map((tool) => tool.name).sort()).toEqual([
      "fast-time-convert-time",
      "fast-time-get-system-time",
    ]);
    expect(tools.body[0]).toMatchObject({
      integrationType: "MCP",
      gatewaySlug: "fast-time",
      requestType: "STREAMABLEHTTP",
    });
    const resources = await t.json<Json[]>("GET", "/resources");
    expect(resources.body.map((r) => r.uri)).toContain("time://timezones");
    const prompts = await t.json<Json[]>("GET", "/prompts");
    expect(prompts.body.map((p) => p.name)).toContain("fast-time-compare-times");
  });

  it("exposes original names with expose_original_names, refuses a clash with 409, and renames back", async () => {
    const plain = await t.json<Json>("POST", "/gateways", {
      name: "time plain",
      url: fastTime,
      expose_original_names: true,
    });
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ exposeOriginalNames: true });
    const tools = await t.json<Json[]>("GET", `/tools?gateway_id=${plain.body.id}`);
    expect(tools.body.map((tool) => tool.name).sort()).toEqual(["convert_time", "get_system_time"]);
    const before = await countRows(t.gateway.database.db, "gateways");
    const clash = await t.json<{ detail: string }>("POST", "/gateways", {
      name: "time plain again",
      url: fastTime,
      expose_original_names: true,
    });
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toContain("already exposed by another gateway");
    expect(await countRows(t.gateway.database.db, "gateways")).toBe(before);
    const prefixed = await t.json<Json>("PUT", `/gateways/${plain.body.id}`, {
      expose_original_names: false,
    });
    expect(prefixed.status).toBe(200);
    const renamed = await t.json<Json[]>("GET", `/tools?gateway_id=${plain.body.id}`);
    expect(renamed.body.map((tool) => tool.name).sort()).toEqual([
      "time-plain-convert-time",
      "time-plain-get-system-time",
    ]);
    expect((await t.json("DELETE", `/gateways/${plain.body.id}`)).status).toBe(200);
  });

  it("refuses a duplicate name with 409 and an unreachable upstream with 502, storing nothing", async () => {
    const before = await countRows(t.gateway.database.db, "gateways");
    expect((await t.json("POST", "/gateways", { name: "fast time", url: fastTime })).status).toBe(409);
    const port = await getFreePort();
    const down = await t.json<{ code: string; detail: string }>("POST", "/gateways", {
      name: "Down",
      url: `http://127.0.0.1:${port}/mcp`,
    });
    expect(down.status).toBe(502);
    expect(down.body.code).toBe("bad_gateway");
    expect(
      (await t.json("POST", "/gateways", { name: "Bad", url: fastTime, transport: "STDIO" })).status,
    ).toBe(422);
    expect(await countRows(t.gateway.database.db, "gateways")).toBe(before);
  });

  it("builds a virtual server from two gateway tools, and keeps everything across a restart", async () => {
    const tools = (await t.json<Json[]>("GET", "/tools")).body.filter((tool) =>
      tool.name.startsWith("fast-time-"),
    );
    const server = await t.json<Json>("POST", "/servers", {
      server: { name: "Time Server", associated_tools: tools.map((tool) => tool.id) },
    });
    expect(server.status).toBe(201);
    t = await t.restart();
    expect((await t.json<Json>("GET", `/servers/${server.body.id}`)).body).toMatchObject({
      name: "Time Server",
      associatedTools: tools.map((tool) => tool.id).sort(),
    });
    expect((await t.json<Json[]>("GET", "/gateways")).body.map((g) => g.slug)).toContain("fast-time");
  });

  it("refreshes: adds new upstream tools and marks vanished ones, across all pages", async () => {
    const created = await t.json<Json>("POST", "/gateways", { name: "Everything", url: everything });
    expect(created.status).toBe(200);
    const id = created.body.id;
    const listed = async () =>
      (await t.json<(Json & { deletedUpstream: boolean })[]>("GET", `/tools?gateway_id=${id}&limit=0`)).body;
    const initial = await listed();
    expect(initial.length).toBeGreaterThan(3);
    expect(initial.map((tool) => tool.name)).toContain("everything-echo");

    await callUpstream(everything, "toggle_extra_tool");
    const added = await t.json<Json>("POST", `/gateways/${id}/tools/refresh`);
    expect(added.body).toMatchObject({ success: true, toolsAdded: 1, toolsRemoved: 0 });
    expect((await listed()).map((tool) => tool.name)).toContain("everything-extra-tool");

    await callUpstream(everything, "toggle_extra_tool");
    const removed = await t.json<Json>("POST", `/gateways/${id}/tools/refresh?include_resources=true`);
    expect(removed.body).toMatchObject({ toolsAdded: 0, toolsRemoved: 1 });
    const extra = (await listed()).find((tool) => tool.name === "everything-extra-tool");
    expect(extra?.deletedUpstream).toBe(true);
  });

  it("registers a legacy SSE server with its credentials, and uses them again on refresh", async () => {
    const name = `Legacy ${dialect}`;
    const wrong = await t.json("POST", "/gateways", {
      name,
      url: sse.url,
      transport: "SSE",
      auth_type: "bearer",
      auth_token: "wrong",
    });
    expect(wrong.status).toBe(422);
    const created = await t.json<Json>("POST", "/gateways", {
      name,
      url: sse.url,
      transport: "SSE",
      auth_type: "bearer",
      auth_token: "upstream-token",
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ transport: "SSE", protocolVersion: expect.any(String) });
    const tools = await t.json<Json[]>("GET", `/tools?gateway_id=${created.body.id}`);
    expect(tools.body.length).toBeGreaterThan(0);
    expect(tools.body[0]).toMatchObject({ requestType: "SSE", integrationType: "MCP" });
    const refreshed = await t.json<Json>("POST", `/gateways/${created.body.id}/tools/refresh`);
    expect(refreshed.body).toMatchObject({ success: true, toolsAdded: 0, toolsRemoved: 0 });
  });

  it("stores session_mode and timeout_seconds, answers them, and refuses bad values with 422", async () => {
    const listed = (await t.json<Json[]>("GET", "/gateways")).body.find((g) => g.slug === "fast-time");
    expect(listed).toMatchObject({ sessionMode: "auto", timeoutSeconds: null });

    const created = await t.json<Json>("POST", "/gateways", {
      name: "Time Per Client",
      url: fastTime,
      session_mode: "per_client",
      timeout_seconds: 30,
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ sessionMode: "per_client", timeoutSeconds: 30 });
    const id = created.body.id;
    expect((await t.json<Json>("GET", `/gateways/${id}`)).body).toMatchObject({
      sessionMode: "per_client",
      timeoutSeconds: 30,
    });

    const updated = await t.json<Json>("PUT", `/gateways/${id}`, {
      sessionMode: "pooled",
      timeoutSeconds: null,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ sessionMode: "pooled", timeoutSeconds: null, version: 2 });
    const kept = await t.json<Json>("PUT", `/gateways/${id}`, { timeout_seconds: 3600 });
    expect(kept.body).toMatchObject({ sessionMode: "pooled", timeoutSeconds: 3600 });

    for (const bad of [
      { session_mode: "sticky" },
      { session_mode: null },
      { timeout_seconds: 0 },
      { timeout_seconds: 3601 },
      { timeout_seconds: 1.5 },
      { timeout_seconds: "10" },
    ]) {
      const field = Object.keys(bad)[0];
      const put = await t.json<{ detail: { loc: string[] }[] }>("PUT", `/gateways/${id}`, bad);
      expect(put.status, JSON.stringify(bad)).toBe(422);
      expect(put.body.detail.map((issue) => issue.loc.at(-1))).toContain(field);
      const post = await t.json("POST", "/gateways", { name: "Refused", url: fastTime, ...bad });
      expect(post.status, JSON.stringify(bad)).toBe(422);
    }
    expect((await t.json<Json>("GET", `/gateways/${id}`)).body).toMatchObject({
      sessionMode: "pooled",
      timeoutSeconds: 3600,
    });
    expect((await t.json("DELETE", `/gateways/${id}`)).status).toBe(200);
  });

  it("renames, deactivates and deletes a gateway together with what it provides", async () => {
    const gateway = (await t.json<Json[]>("GET", "/gateways")).body.find((g) => g.slug === "fast-time");
    const id = gateway?.id ?? "";
    const renamed = await t.json<Json>("PUT", `/gateways/${id}`, { name: "Clock" });
    expect(renamed.body).toMatchObject({ slug: "clock", version: 2 });
    const tools = await t.json<Json[]>("GET", `/tools?gateway_id=${id}`);
    expect(tools.body.map((tool) => tool.name).sort()).toEqual([
      "clock-convert-time",
      "clock-get-system-time",
    ]);

    const off = await t.json<{ gateway: Json }>("POST", `/gateways/${id}/state?activate=false`);
    expect(off.body.gateway).toMatchObject({ enabled: false });
    expect((await t.json<Json[]>("GET", `/tools?gateway_id=${id}`)).body).toEqual([]);

    const deleted = await t.json("DELETE", `/gateways/${id}`);
    expect(deleted.body).toEqual({ status: "success", message: `Gateway ${id} deleted` });
    expect((await t.json<Json[]>("GET", `/tools?gateway_id=${id}&include_inactive=true`)).body).toEqual([]);
    const server = (await t.json<Json[]>("GET", "/servers")).body.find((s) => s.name === "Time Server");
    expect(server?.associatedTools).toEqual([]);
  });
});
