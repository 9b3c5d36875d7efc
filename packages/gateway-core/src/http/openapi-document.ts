import { z } from "zod";
import { gatewayCreateSchema, gatewayUpdateSchema } from "../registry/gateways/gateway-schema.js";
import { promptCreateSchema, promptUpdateSchema } from "../registry/prompts/prompt-schema.js";
import { resourceCreateSchema, resourceUpdateSchema } from "../registry/resources/resource-schema.js";
import { serverCreateSchema, serverUpdateSchema } from "../registry/servers/server-schema.js";
import { toolCreateSchema, toolUpdateSchema } from "../registry/tools/tool-schema.js";
import { GATEWAY_VERSION } from "../version.js";

type JsonObject = Record<string, unknown>;

/** Request bodies as JSON Schema 2020-12 (what OpenAPI 3.1 uses), from the same zod schemas that validate them. */
function schemaOf(schema: z.ZodType): JsonObject {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  }) as JsonObject;
  return json;
}

const errorBody = {
  type: "object",
  properties: {
    detail: {
      oneOf: [
        { type: "string" },
        {
          type: "array",
          items: {
            type: "object",
            properties: { loc: { type: "array" }, msg: { type: "string" }, type: { type: "string" } },
          },
        },
      ],
    },
    code: { type: "string" },
  },
  required: ["detail", "code"],
};

const errors = (...codes: number[]): JsonObject =>
  Object.fromEntries(
    codes.map((code) => [
      String(code),
      { description: ERROR_TEXT[code] ?? "Error", content: json({ $ref: "#/components/schemas/Error" }) },
    ]),
  );

const ERROR_TEXT: Record<number, string> = {
  400: "Malformed request (bad JSON, bad cursor)",
  401: "Missing or invalid credentials",
  404: "Not found",
  409: "Name or URI already taken, or a concurrent change",
  413: "Body larger than MAX_REQUEST_BODY_BYTES",
  415: "Body is not application/json",
  422: "Invalid fields (with their paths)",
  502: "The upstream MCP server could not be reached",
};

const json = (schema: JsonObject): JsonObject => ({ "application/json": { schema } });
const ok = (description: string, schema: JsonObject = { type: "object" }): JsonObject => ({
  description,
  content: json(schema),
});
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" } };

const LIST_PARAMS = [
  ["include_inactive", "boolean", "Include deactivated items"],
  ["include_pagination", "boolean", "Answer {<items>: [...], nextCursor} instead of a plain array"],
  ["limit", "integer", "Page size (0 = the maximum)"],
  ["cursor", "string", "Opaque cursor from a previous page"],
  ["tags", "string", "Comma-separated tags; items with any of them"],
  ["gateway_id", "string", "Items of one gateway (`null` = defined in the gateway itself)"],
  ["team_id", "string", "Items of one team"],
  ["visibility", "string", "private, team or public"],
].map(([name, type, description]) => ({ name, in: "query", required: false, schema: { type }, description }));

interface EntityDoc {
  readonly path: string;
  readonly tag: string;
  readonly key: string | undefined;
  readonly create: z.ZodType;
  readonly update: z.ZodType;
  readonly createStatus: string;
}

const ENTITIES: readonly EntityDoc[] = [
  {
    path: "/tools",
    tag: "Tools",
    key: "tool",
    create: toolCreateSchema,
    update: toolUpdateSchema,
    createStatus: "200",
  },
  {
    path: "/resources",
    tag: "Resources",
    key: "resource",
    create: resourceCreateSchema,
    update: resourceUpdateSchema,
    createStatus: "200",
  },
  {
    path: "/prompts",
    tag: "Prompts",
    key: "prompt",
    create: promptCreateSchema,
    update: promptUpdateSchema,
    createStatus: "200",
  },
  {
    path: "/servers",
    tag: "Servers",
    key: "server",
    create: serverCreateSchema,
    update: serverUpdateSchema,
    createStatus: "201",
  },
  {
    path: "/gateways",
    tag: "Gateways",
    key: undefined,
    create: gatewayCreateSchema,
    update: gatewayUpdateSchema,
    createStatus: "200",
  },
];

function entityPaths(entity: EntityDoc): Record<string, JsonObject> {
  const { path, tag } = entity;
  const createBody = entity.key
    ? {
        type: "object",
        properties: {
          [entity.key]: schemaOf(entity.create),
          team_id: { type: ["string", "null"] },
          visibility: { enum: ["private", "team", "public", null] },
        },
        required: [entity.key],
        additionalProperties: false,
      }
    : schemaOf(entity.create);
  const stateParam = {
    name: "activate",
    in: "query",
    required: false,
    schema: { type: "boolean", default: true },
  };
  return {
    [path]: {
      get: {
        tags: [tag],
        summary: `List ${tag.toLowerCase()}`,
        parameters: LIST_PARAMS,
        responses: { "200": ok("Items"), ...errors(401, 422) },
      },
      post: {
        tags: [tag],
        summary: `Create a ${tag.toLowerCase().slice(0, -1)}`,
        requestBody: { required: true, content: json(createBody) },
        responses: {
          [entity.createStatus]: ok("Created"),
          ...errors(400, 401, 409, 413, 415, 422, ...(entity.key ? [] : [502])),
        },
      },
    },
    [`${path}/{id}`]: {
      parameters: [idParam],
      get: { tags: [tag], summary: "Get one", responses: { "200": ok("The item"), ...errors(401, 404) } },
      put: {
        tags: [tag],
        summary: "Update (new version)",
        requestBody: { required: true, content: json(schemaOf(entity.update)) },
        responses: { "200": ok("Updated"), ...errors(400, 401, 404, 409, 413, 415, 422) },
      },
      delete: { tags: [tag], summary: "Delete", responses: { "200": ok("Deleted"), ...errors(401, 404) } },
    },
    [`${path}/{id}/state`]: {
      parameters: [idParam, stateParam],
      post: {
        tags: [tag],
        summary: "Activate or deactivate",
        responses: { "200": ok("New state"), ...errors(401, 404) },
      },
    },
    [`${path}/{id}/versions`]: {
      parameters: [idParam],
      get: {
        tags: [tag],
        summary: "Every stored version, newest first",
        responses: { "200": ok("Versions", { type: "array" }), ...errors(401, 404) },
      },
    },
    [`${path}/{id}/versions/{version}/restore`]: {
      parameters: [
        idParam,
        { name: "version", in: "path", required: true, schema: { type: "integer", minimum: 1 } },
      ],
      post: {
        tags: [tag],
        summary: "Make an old version current (as a new version)",
        responses: { "200": ok("Restored"), ...errors(401, 404, 409) },
      },
    },
  };
}

/** The OpenAPI 3.1 description of the REST API (served at `/openapi.json`). */
export function createOpenApiDocument(): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const entity of ENTITIES) Object.assign(paths, entityPaths(entity));
  Object.assign(paths, {
    "/resources/templates/list": {
      get: { tags: ["Resources"], summary: "Resource templates", responses: { "200": ok("Templates") } },
    },
    "/resources/{id}/info": {
      parameters: [idParam],
      get: {
        tags: ["Resources"],
        summary: "Resource metadata",
        responses: { "200": ok("Metadata"), ...errors(404) },
      },
    },
    "/prompts/{id}/info": {
      parameters: [idParam],
      get: {
        tags: ["Prompts"],
        summary: "Prompt definition",
        responses: { "200": ok("Definition"), ...errors(404) },
      },
    },
    "/gateways/{id}/tools/refresh": {
      parameters: [
        idParam,
        { name: "include_resources", in: "query", schema: { type: "boolean" } },
        { name: "include_prompts", in: "query", schema: { type: "boolean" } },
      ],
      post: {
        tags: ["Gateways"],
        summary: "Re-discover the upstream's items",
        responses: { "200": ok("What changed"), ...errors(404, 409, 502) },
      },
    },
    "/health": {
      get: {
        tags: ["Health"],
        summary: "Liveness (no auth)",
        security: [],
        responses: { "200": ok("Healthy") },
      },
    },
    "/ready": {
      get: {
        tags: ["Health"],
        summary: "Readiness (no auth)",
        security: [],
        responses: { "200": ok("Ready"), "503": ok("Not ready") },
      },
    },
    "/version": {
      get: { tags: ["Health"], summary: "What is running", responses: { "200": ok("Version") } },
    },
  });
  // GET and POST /prompts/{id} render the prompt (ContextForge); the definition is at /info.
  const promptItem = paths["/prompts/{id}"] as JsonObject;
  promptItem.get = {
    tags: ["Prompts"],
    summary: "Render with no arguments",
    responses: { "200": ok("GetPromptResult"), ...errors(404, 422) },
  };
  promptItem.post = {
    tags: ["Prompts"],
    summary: "Render with arguments",
    requestBody: {
      required: true,
      content: json({ type: "object", additionalProperties: { type: "string" } }),
    },
    responses: { "200": ok("GetPromptResult"), ...errors(404, 422) },
  };
  (paths["/resources/{id}"] as JsonObject).get = {
    tags: ["Resources"],
    summary: "Read the content",
    responses: { "200": ok("Content"), ...errors(400, 404) },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "ContextForge gateway",
      version: GATEWAY_VERSION,
      description: "Registry REST API. Every path is also served under /v1.",
    },
    servers: [{ url: "/v1" }, { url: "/" }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: { Error: errorBody },
    },
    paths,
  };
}
