import { afterAll, beforeAll, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { describeEachDialect } from "../support/dialect-matrix.js";
import { createTestGateway, type TestGateway } from "../support/test-gateway.js";

type Json = Record<string, unknown> & { id: string };

await describeEachDialect("REST API /resources, /prompts, /servers", (dialect: DialectName) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await createTestGateway(dialect, "rps");
  });
  afterAll(() => t?.close());

  it("creates a resource, reads its content and metadata, and rejects a duplicate URI", async () => {
    const created = await t.json<Json>("POST", "/resources", {
      resource: {
        uri: "file:///notes/readme.md",
        name: "Readme",
        mimeType: "text/markdown",
        content: "# Hello ✓",
      },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      uri: "file:///notes/readme.md",
      mimeType: "text/markdown",
      size: 11,
      version: 1,
    });
    const content = await t.json("GET", `/resources/${created.body.id}`);
    expect(content.body).toEqual({
      type: "resource",
      id: created.body.id,
      uri: "file:///notes/readme.md",
      mimeType: "text/markdown",
      text: "# Hello ✓",
    });
    expect((await t.json<Json>("GET", `/resources/${created.body.id}/info`)).body.name).toBe("Readme");
    const dup = await t.json("POST", "/resources", {
      resource: { uri: "file:///notes/readme.md", name: "B", content: "x" },
    });
    expect(dup.status).toBe(409);
    expect(
      (await t.json("POST", "/resources", { resource: { uri: "no scheme", name: "B", content: "x" } }))
        .status,
    ).toBe(422);
  });

  it("lists resource templates", async () => {
    await t.json("POST", "/resources", {
      resource: { uri: "users://all", uriTemplate: "users://{id}", name: "User", content: "[]" },
    });
    const templates = await t.json<{ resourceTemplates: { uriTemplate: string; name: string }[] }>(
      "GET",
      "/resources/templates/list",
    );
    expect(templates.body.resourceTemplates).toEqual([
      expect.objectContaining({ uriTemplate: "users://{id}", name: "User" }),
    ]);
  });

  it("creates a prompt and renders it with arguments (GET without, POST with)", async () => {
    const created = await t.json<Json>("POST", "/prompts", {
      prompt: {
        name: "summarise",
        description: "Summarise a text",
        template: "Summarise in {{ words }} words: {{ text }}",
        arguments: [
          { name: "text", required: true },
          { name: "words", description: "length" },
        ],
      },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: "summarise",
      arguments: [
        { name: "text", required: true },
        { name: "words", required: false },
      ],
    });
    const rendered = await t.json("POST", `/prompts/${created.body.id}`, { text: "Long story", words: "5" });
    expect(rendered.body).toEqual({
      description: "Summarise a text",
      messages: [{ role: "user", content: { type: "text", text: "Summarise in 5 words: Long story" } }],
    });
    const missing = await t.json<{ detail: { loc: string[] }[] }>("GET", `/prompts/${created.body.id}`);
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]?.loc).toEqual(["body", "text"]);
    expect((await t.json<Json>("GET", `/prompts/${created.body.id}/info`)).body.template).toContain(
      "{{ text }}",
    );
  });

  it("rejects a prompt template that does not compile, and duplicate argument names", async () => {
    const bad = await t.json<{ detail: { loc: string[] }[] }>("POST", "/prompts", {
      prompt: { name: "broken", template: "Hello {% if %}" },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]?.loc).toEqual(["body", "prompt", "template"]);
    const dupArgs = await t.json("POST", "/prompts", {
      prompt: { name: "dup", template: "x", arguments: [{ name: "a" }, { name: "a" }] },
    });
    expect(dupArgs.status).toBe(422);
  });

  it("composes a virtual server from tools, resources and prompts, and versions its associations", async () => {
    const tool = (
      await t.json<Json>("POST", "/tools", {
        tool: { name: "echo_rest", url: "https://example.com/echo", integration_type: "REST" },
      })
    ).body;
    const tool2 = (
      await t.json<Json>("POST", "/tools", {
        tool: { name: "echo_rest_2", url: "https://example.com/echo2" },
      })
    ).body;
    const resource = (
      await t.json<Json>("POST", "/resources", { resource: { uri: "mem://one", name: "One", content: "1" } })
    ).body;
    const prompt = (await t.json<Json>("POST", "/prompts", { prompt: { name: "greet", template: "Hi" } }))
      .body;

    const created = await t.json<Json>("POST", "/servers", {
      server: {
        name: "Team Server",
        associated_tools: `${tool.id},${tool2.id}`,
        associatedResources: [resource.id],
        associated_prompts: [prompt.id],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "Team Server",
      associatedTools: [tool.id, tool2.id].sort(),
      associatedResources: [resource.id],
      associatedPrompts: [prompt.id],
    });
    const id = created.body.id;
    expect((await t.json<Json[]>("GET", `/servers/${id}/tools`)).body.map((x) => x.name).sort()).toEqual([
      "echo-rest",
      "echo-rest-2",
    ]);

    const unknown = await t.json<{ detail: { msg: string }[] }>("PUT", `/servers/${id}`, {
      associated_tools: ["nope"],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail[0]?.msg).toBe("unknown id(s): nope");

    const updated = await t.json<Json>("PUT", `/servers/${id}`, { associated_tools: [tool.id] });
    expect(updated.body).toMatchObject({ version: 2, associatedTools: [tool.id] });
    const restored = await t.json<Json>("POST", `/servers/${id}/versions/1/restore`);
    expect(restored.body).toMatchObject({ version: 3, associatedTools: [tool.id, tool2.id].sort() });

    await t.json("POST", `/tools/${tool2.id}/state?activate=false`);
    expect((await t.json<Json[]>("GET", `/servers/${id}/tools`)).body.map((x) => x.id)).toEqual([tool.id]);

    const off = await t.json<Json>("POST", `/servers/${id}/state?activate=false`);
    expect(off.body).toMatchObject({ id, enabled: false });
    expect((await t.json("POST", "/servers", { server: { name: "Team Server" } })).status).toBe(409);
    expect((await t.json("DELETE", `/servers/${id}`)).body).toEqual({
      status: "success",
      message: `Server ${id} deleted successfully`,
    });
    // Deleting the server leaves its tools alone.
    expect((await t.json("GET", `/tools/${tool.id}`)).status).toBe(200);
  });

  it("deleting a tool removes it from the servers that exposed it", async () => {
    const tool = (
      await t.json<Json>("POST", "/tools", { tool: { name: "short_lived", url: "https://example.com/x" } })
    ).body;
    const server = (
      await t.json<Json>("POST", "/servers", { server: { name: "Uses It", associated_tools: [tool.id] } })
    ).body;
    await t.json("DELETE", `/tools/${tool.id}`);
    expect((await t.json<Json>("GET", `/servers/${server.id}`)).body.associatedTools).toEqual([]);
  });
});
