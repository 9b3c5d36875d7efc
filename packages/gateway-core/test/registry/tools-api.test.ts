import { afterAll, beforeAll, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { countRows } from "../../src/registry/shared/entity-table.js";
import { describeEachDialect } from "../support/dialect-matrix.js";
import { createTestGateway, type TestGateway } from "../support/test-gateway.js";

interface Tool {
  id: string;
  name: string;
  originalName: string;
  description: string | null;
  version: number;
  enabled: boolean;
  tags: string[];
  auth: { authType: string; authValue: string } | null;
  inputSchema: Record<string, unknown>;
}

const weather = {
  name: "get_weather",
  url: "https://api.example.com/weather",
  description: "Current weather",
  integration_type: "REST",
  request_type: "GET",
  inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  tags: ["Weather", "api"],
  auth_type: "bearer",
  auth_token: "super-secret-token",
};

await describeEachDialect("REST API /tools", (dialect: DialectName) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await createTestGateway(dialect, "tools");
  });
  afterAll(() => t?.close());

  it("creates a REST tool: camelCase answer, slug name, credentials masked and encrypted at rest", async () => {
    const { status, body } = await t.json<Tool>("POST", "/tools", { tool: weather });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: "get-weather",
      originalName: "get_weather",
      version: 1,
      enabled: true,
      tags: ["weather", "api"],
      auth: { authType: "bearer", authValue: "*****" },
      inputSchema: weather.inputSchema,
    });
    const stored = await t.gateway.database.db
      .selectFrom("tools")
      .select("auth_value")
      .where("id", "=", body.id)
      .executeTakeFirstOrThrow();
    expect(stored.auth_value).toMatch(/^v1\./);
    expect(stored.auth_value).not.toContain("super-secret-token");
    expect(JSON.stringify(await t.json("GET", `/v1/tools/${body.id}`))).not.toContain("super-secret-token");
  });

  it("rejects a duplicate name with 409", async () => {
    const { status, body } = await t.json<{ detail: string; code: string }>("POST", "/tools", {
      tool: weather,
    });
    expect(status).toBe(409);
    expect(body).toMatchObject({ code: "conflict", detail: expect.stringContaining("get-weather") });
  });

  it("rejects bad input with the right 4xx and leaves the database unchanged", async () => {
    const before = await countRows(t.gateway.database.db, "tools");
    const unknown = await t.json<{ detail: { loc: string[]; msg: string }[] }>("POST", "/tools", {
      tool: { ...weather, name: "other", colour: "red" },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail[0]).toMatchObject({ loc: ["body", "tool"], msg: "unknown field(s): colour" });

    const wrongType = await t.json<{ detail: { loc: string[] }[] }>("POST", "/tools", {
      tool: { ...weather, name: "other", tags: "not-a-list" },
    });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.detail[0]?.loc).toEqual(["body", "tool", "tags"]);

    const longName = await t.json("POST", "/tools", { tool: { ...weather, name: "x".repeat(300) } });
    expect(longName.status).toBe(422);

    const mcp = await t.json<{ detail: { msg: string }[] }>("POST", "/tools", {
      tool: { ...weather, name: "other", integration_type: "MCP" },
    });
    expect(mcp.status).toBe(422);
    expect(mcp.body.detail[0]?.msg).toMatch(/register their MCP server under \/gateways/);

    const missingToken = await t.json("POST", "/tools", {
      tool: { ...weather, name: "other", auth_token: undefined },
    });
    expect(missingToken.status).toBe(422);

    expect((await t.request("POST", "/tools", "{not json")).status).toBe(400);
    expect((await t.request("POST", "/tools", "x", { "content-type": "text/plain" })).status).toBe(415);
    expect((await t.json("POST", "/tools", { tool: weather, extra: 1 })).status).toBe(422);
    expect((await t.json("POST", "/tools", { notTool: {} })).status).toBe(422);

    const huge = await t.request("POST", "/tools", {
      tool: { ...weather, name: "big", description: "x".repeat(5_300_000) },
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ code: "payload_too_large" });

    expect(await countRows(t.gateway.database.db, "tools")).toBe(before);
  });

  it("lists as a plain array, or paginated with opaque cursors, filtered by tags", async () => {
    for (const name of ["list_a", "list_b", "list_c"]) {
      const { status } = await t.json("POST", "/tools", {
        tool: { ...weather, name, tags: [name === "list_b" ? "b" : "x"] },
      });
      expect(status).toBe(200);
    }
    const all = await t.json<Tool[]>("GET", "/tools");
    expect(all.body.map((tool) => tool.name)).toEqual(["get-weather", "list-a", "list-b", "list-c"]);

    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/tools?include_pagination=true&limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await t.json<{ tools: Tool[]; nextCursor: string | null }>("GET", query);
      names.push(...page.body.tools.map((tool) => tool.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(names).toEqual(["get-weather", "list-a", "list-b", "list-c"]);

    expect((await t.json<Tool[]>("GET", "/tools?tags=b")).body.map((tool) => tool.name)).toEqual(["list-b"]);
    expect((await t.json("GET", "/tools?cursor=garbage")).status).toBe(400);
    expect((await t.json("GET", "/tools?limit=-1")).status).toBe(422);
    expect((await t.json("GET", "/tools?unknown=1")).status).toBe(422);
  });

  it("keeps every version and restores an old one", async () => {
    const created = (await t.json<Tool>("POST", "/tools", { tool: { ...weather, name: "versioned" } })).body;
    const updated = await t.json<Tool>("PUT", `/tools/${created.id}`, { description: "Second" });
    expect(updated.body).toMatchObject({ version: 2, description: "Second" });
    const versions = await t.json<{ version: number; change: string; definition: Tool }[]>(
      "GET",
      `/tools/${created.id}/versions`,
    );
    expect(versions.body.map((v) => [v.version, v.change, v.definition.description])).toEqual([
      [2, "update", "Second"],
      [1, "create", "Current weather"],
    ]);
    const restored = await t.json<Tool>("POST", `/tools/${created.id}/versions/1/restore`);
    expect(restored.body).toMatchObject({ version: 3, description: "Current weather" });
    expect((await t.json("POST", `/tools/${created.id}/versions/9/restore`)).status).toBe(404);
  });

  it("deactivates and activates with ContextForge's answer, and hides inactive tools from lists", async () => {
    const created = (await t.json<Tool>("POST", "/tools", { tool: { ...weather, name: "stateful" } })).body;
    const off = await t.json<{ status: string; message: string; tool: Tool }>(
      "POST",
      `/tools/${created.id}/state?activate=false`,
    );
    expect(off.body).toMatchObject({
      status: "success",
      message: `Tool ${created.id} deactivated`,
      tool: { enabled: false },
    });
    expect((await t.json<Tool[]>("GET", "/tools")).body.map((tool) => tool.id)).not.toContain(created.id);
    expect(
      (await t.json<Tool[]>("GET", "/tools?include_inactive=true")).body.map((tool) => tool.id),
    ).toContain(created.id);
    const on = await t.json<{ tool: Tool }>("POST", `/tools/${created.id}/toggle?activate=true`);
    expect(on.body.tool.enabled).toBe(true);
  });

  it("renames with custom_name, deletes, and answers 404 for unknown ids", async () => {
    const created = (await t.json<Tool>("POST", "/tools", { tool: { ...weather, name: "renamable" } })).body;
    const renamed = await t.json<Tool>("PUT", `/tools/${created.id}`, { customName: "Better_Name" });
    expect(renamed.body).toMatchObject({ name: "better-name", originalName: "renamable" });
    const deleted = await t.json("DELETE", `/tools/${created.id}`);
    expect(deleted.body).toEqual({ status: "success", message: `Tool ${created.id} permanently deleted` });
    const missing = await t.json<{ detail: string; code: string }>("GET", `/tools/${created.id}`);
    expect(missing).toEqual({
      status: 404,
      body: { detail: `Tool not found: ${created.id}`, code: "not_found" },
    });
    expect((await t.json("DELETE", `/tools/${created.id}`)).status).toBe(404);
  });
});
