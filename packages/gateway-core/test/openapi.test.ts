import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, loadSettings } from "../src/index.js";

type Operation = {
  security?: unknown[];
  requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
};
type OpenApiDocument = {
  openapi: string;
  paths: Record<string, { servers?: { url: string }[] } & Partial<Record<string, Operation>>>;
};

const METHODS = ["get", "put", "post", "delete", "patch"];
// Routes that are not REST: the MCP transports, the reverse proxy tunnel, the docs page and the
// document itself.
const NOT_REST =
  /^\/(?:mcp|sse|message|ws|rpc|docs|openapi\.json|reverse-proxy\/ws|\.well-known\/.*|servers\/:id\/(?:mcp|sse|message|ws))$/;

const gateway = createGateway({
  settings: loadSettings({
    LOG_LEVEL: "silent",
    DATABASE_URL: "sqlite:///:memory:",
    JWT_SECRET_KEY: "openapi-test-secret-openapi-test-secret",
  }),
});
beforeAll(() => gateway.prepare());
afterAll(() => gateway.stop());

async function fetchDocument(): Promise<OpenApiDocument> {
  const token = await gateway.mintToken("admin@example.com", 5);
  const response = await gateway.app.request("/openapi.json", {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await response.json()) as OpenApiDocument;
}

/** `METHOD /path` of every REST route mounted in the app, `:name` as `{name}`, /v1 folded in. */
function mountedRoutes(): { routes: Set<string>; underV1: Set<string> } {
  const routes = new Set<string>();
  const underV1 = new Set<string>();
  for (const { method, path } of gateway.app.routes) {
    // Middleware (app.use / router.use) is registered as ALL on a wildcard path.
    if (method === "ALL" && path.endsWith("*")) continue;
    if (NOT_REST.test(path)) continue;
    const documented = path.replace(/^\/v1(?=\/)/, "").replace(/:(\w+)/g, "{$1}");
    if (path.startsWith("/v1/")) underV1.add(documented);
    routes.add(`${method.toLowerCase()} ${documented}`);
  }
  return { routes, underV1 };
}

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

  it("documents every mounted REST route, and nothing else", async () => {
    const document = await fetchDocument();
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method] !== undefined).map((method) => `${method} ${path}`),
    );
    const { routes } = mountedRoutes();
    expect(routes.size).toBeGreaterThan(100);
    expect([...routes].filter((route) => !documented.includes(route)).sort()).toEqual([]);
    expect(documented.filter((route) => !routes.has(route)).sort()).toEqual([]);
  });

  it("gives the paths mounted at the root only a root server, and /v1 paths none", async () => {
    const document = await fetchDocument();
    const { underV1 } = mountedRoutes();
    for (const [path, item] of Object.entries(document.paths)) {
      expect(item.servers, path).toEqual(underV1.has(path) ? undefined : [{ url: "/" }]);
    }
  });

  it("describes the auth, user, team, token and RBAC routes", async () => {
    const { paths } = await fetchDocument();
    for (const login of ["/auth/email/login", "/auth/login"]) {
      expect(paths[login]?.post?.security, login).toEqual([]);
      expect(paths[login]?.post?.responses).toHaveProperty("401");
    }
    expect(paths["/auth/email/me"]?.get?.security).toBeUndefined();
    const tokenBody = paths["/tokens"]?.post?.requestBody?.content["application/json"]?.schema as {
      required: string[];
      additionalProperties: boolean;
    };
    expect(tokenBody.required).toEqual(["name"]);
    expect(tokenBody.additionalProperties).toBe(false);
    expect(paths["/tokens"]?.post?.responses).toHaveProperty("201");
    expect(paths["/tokens/{id}"]?.delete?.responses).toHaveProperty("204");
    expect(paths["/tokens/{id}"]?.delete?.requestBody?.required).toBe(false);
    expect(paths["/teams/{id}/members"]?.get).toBeDefined();
    expect(paths["/teams/{id}/members/{email}"]?.put?.requestBody?.required).toBe(true);
    expect(paths["/rbac/roles"]?.get).toBeDefined();
    expect(paths["/rbac/roles"]?.post?.responses).toHaveProperty("403");
    expect(paths["/auth/email/admin/users/{email}"]?.put).toBeDefined();
  });

  it("answers 403 on registry writes, 404 only on reads", async () => {
    const { paths } = await fetchDocument();
    for (const writes of [
      paths["/tools"]?.post,
      paths["/tools/{id}"]?.put,
      paths["/tools/{id}"]?.delete,
      paths["/gateways/{id}/state"]?.post,
      paths["/servers/{id}/versions/{version}/restore"]?.post,
    ]) {
      expect(writes?.responses).toHaveProperty("403");
    }
    expect(paths["/tools/{id}"]?.get?.responses).not.toHaveProperty("403");
    expect(paths["/tools/{id}"]?.get?.responses).toHaveProperty("404");
  });

  it("serves the interactive page at /docs without data", async () => {
    const page = await gateway.app.request("/docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("SwaggerUIBundle");
    expect(html).toContain('url: "openapi.json"');
  });
});
