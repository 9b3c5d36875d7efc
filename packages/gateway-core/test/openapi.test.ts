import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, describe, expect, it } from "vitest";
import { createGateway, loadSettings } from "../src/index.js";

const gateway = createGateway({
  settings: loadSettings({
    LOG_LEVEL: "silent",
    DATABASE_URL: "sqlite:///:memory:",
    JWT_SECRET_KEY: "openapi-test-secret-openapi-test-secret",
  }),
});
afterAll(() => gateway.stop());

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document, served behind auth", async () => {
    expect((await gateway.app.request("/openapi.json")).status).toBe(401);
    const token = await gateway.mintToken("admin@example.com", 5);
    const response = await gateway.app.request("/openapi.json", {
      headers: { authorization: `Bearer ${token}` },
    });
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        "/tools",
        "/tools/{id}",
        "/gateways/{id}/tools/refresh",
        "/servers/{id}/versions/{version}/restore",
      ]),
    );
  });

  it("describes create bodies with the validating schemas (required fields, no unknown fields)", async () => {
    const token = await gateway.mintToken("admin@example.com", 5);
    const document = (await (
      await gateway.app.request("/openapi.json", { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      paths: Record<
        string,
        { post?: { requestBody: { content: Record<string, { schema: Record<string, unknown> }> } } }
      >;
    };
    const toolBody = document.paths["/tools"]?.post?.requestBody.content["application/json"]?.schema as {
      properties: { tool: { required: string[]; additionalProperties: boolean } };
    };
    expect(toolBody.properties.tool.required).toEqual(expect.arrayContaining(["name", "url"]));
    expect(toolBody.properties.tool.additionalProperties).toBe(false);
    const gatewayBody = document.paths["/gateways"]?.post?.requestBody.content["application/json"]
      ?.schema as {
      required: string[];
      properties: Record<string, unknown>;
    };
    // url is required for the HTTP transports only: a STDIO gateway has a command instead.
    expect(gatewayBody.required).toEqual(expect.arrayContaining(["name"]));
    expect(Object.keys(gatewayBody.properties)).toEqual(expect.arrayContaining(["url", "command", "env"]));
  });

  it("serves the interactive page at /docs without data", async () => {
    const page = await gateway.app.request("/docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("SwaggerUIBundle");
    expect(html).toContain('url: "openapi.json"');
  });
});
