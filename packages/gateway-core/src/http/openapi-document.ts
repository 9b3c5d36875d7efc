import type { z } from "zod";
import { gatewayCreateSchema, gatewayUpdateSchema } from "../registry/gateways/gateway-schema.js";
import { promptCreateSchema, promptUpdateSchema } from "../registry/prompts/prompt-schema.js";
import { resourceCreateSchema, resourceUpdateSchema } from "../registry/resources/resource-schema.js";
import { serverCreateSchema, serverUpdateSchema } from "../registry/servers/server-schema.js";
import { toolCreateSchema, toolUpdateSchema } from "../registry/tools/tool-schema.js";
import { GATEWAY_VERSION } from "../version.js";
import { AUTH_TAGS, createAuthPaths } from "./openapi-auth-paths.js";
import {
  ERROR_SCHEMA,
  errors,
  ID_PARAM,
  type JsonObject,
  json,
  ok,
  ROOT_ONLY,
  schemaOf,
} from "./openapi-helpers.js";
import { createReverseProxyPaths, REVERSE_PROXY_TAG } from "./openapi-reverse-proxy-paths.js";

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
  const changeState = {
    tags: [tag],
    summary: "Activate or deactivate",
    responses: { "200": ok("New state"), ...errors(401, 403, 404, 422) },
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
          ...errors(400, 401, 403, 409, 413, 415, 422, ...(entity.key ? [] : [502])),
        },
      },
    },
    [`${path}/{id}`]: {
      parameters: [ID_PARAM],
      get: { tags: [tag], summary: "Get one", responses: { "200": ok("The item"), ...errors(401, 404) } },
      put: {
        tags: [tag],
        summary: "Update (new version)",
        requestBody: { required: true, content: json(schemaOf(entity.update)) },
        responses: { "200": ok("Updated"), ...errors(400, 401, 403, 404, 409, 413, 415, 422) },
      },
      delete: {
        tags: [tag],
        summary: "Delete",
        responses: { "200": ok("Deleted"), ...errors(401, 403, 404) },
      },
    },
    [`${path}/{id}/state`]: { parameters: [ID_PARAM, stateParam], post: changeState },
    [`${path}/{id}/toggle`]: {
      parameters: [ID_PARAM, stateParam],
      post: { ...changeState, summary: "Activate or deactivate (alias of /state)", deprecated: true },
    },
    [`${path}/{id}/versions`]: {
      parameters: [ID_PARAM],
      get: {
        tags: [tag],
        summary: "Every stored version, newest first",
        responses: { "200": ok("Versions", { type: "array" }), ...errors(401, 404) },
      },
    },
    [`${path}/{id}/versions/{version}/restore`]: {
      parameters: [
        ID_PARAM,
        { name: "version", in: "path", required: true, schema: { type: "integer", minimum: 1 } },
      ],
      post: {
        tags: [tag],
        summary: "Make an old version current (as a new version)",
        responses: { "200": ok("Restored"), ...errors(401, 403, 404, 409, 422) },
      },
    },
  };
}

const REGISTRY_TAGS = ["Tools", "Resources", "Prompts", "Servers", "Gateways", "Health"];

/** `GET /servers/{id}/tools`, `/resources`, `/prompts`: a virtual server's items the caller may see. */
function serverItemPaths(): Record<string, JsonObject> {
  const parameters = [
    ID_PARAM,
    ...["include_inactive", "include_metrics"].map((name) => ({
      name,
      in: "query",
      schema: { enum: ["true", "false"] },
    })),
  ];
  return Object.fromEntries(
    ["tools", "resources", "prompts"].map((kind) => [
      `/servers/{id}/${kind}`,
      {
        parameters,
        get: {
          tags: ["Servers"],
          summary: `The server's ${kind}`,
          responses: {
            "200": ok(`The ${kind} the caller may see`, { type: "array" }),
            ...errors(401, 404, 422),
          },
        },
      },
    ]),
  );
}

/** What the described gateway serves besides the registry and auth routes. */
export interface OpenApiOptions {
  /** `/reverse-proxy/sessions` (MCPGATEWAY_REVERSE_PROXY_ENABLED). */
  readonly reverseProxy?: boolean;
}

/** The OpenAPI 3.1 description of the REST API (served at `/openapi.json`). */
export function createOpenApiDocument(options: OpenApiOptions = {}): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const entity of ENTITIES) Object.assign(paths, entityPaths(entity));
  Object.assign(paths, {
    "/resources/templates/list": {
      get: { tags: ["Resources"], summary: "Resource templates", responses: { "200": ok("Templates") } },
    },
    "/resources/{id}/info": {
      parameters: [ID_PARAM],
      get: {
        tags: ["Resources"],
        summary: "Resource metadata",
        responses: { "200": ok("Metadata"), ...errors(404) },
      },
    },
    "/prompts/{id}/info": {
      parameters: [ID_PARAM],
      get: {
        tags: ["Prompts"],
        summary: "Prompt definition",
        responses: { "200": ok("Definition"), ...errors(404) },
      },
    },
    "/gateways/{id}/tools/refresh": {
      parameters: [
        ID_PARAM,
        { name: "include_resources", in: "query", schema: { type: "boolean" } },
        { name: "include_prompts", in: "query", schema: { type: "boolean" } },
      ],
      post: {
        tags: ["Gateways"],
        summary: "Re-discover the upstream's items",
        responses: { "200": ok("What changed"), ...errors(401, 403, 404, 409, 422, 502) },
      },
    },
    ...serverItemPaths(),
    "/health": {
      servers: ROOT_ONLY,
      get: {
        tags: ["Health"],
        summary: "Liveness (no auth)",
        security: [],
        responses: { "200": ok("Healthy") },
      },
    },
    "/ready": {
      servers: ROOT_ONLY,
      get: {
        tags: ["Health"],
        summary: "Readiness (no auth)",
        security: [],
        responses: { "200": ok("Ready"), "503": ok("Not ready") },
      },
    },
    "/version": {
      servers: ROOT_ONLY,
      get: { tags: ["Health"], summary: "What is running", responses: { "200": ok("Version") } },
    },
    ...createAuthPaths(),
    ...(options.reverseProxy ? createReverseProxyPaths() : {}),
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
      description:
        "Registry REST API (under /v1, and at the root while LEGACY_API_ENABLED is on) and the " +
        "user, team, token and RBAC routes (at the root only). A session that must change its " +
        "password, and an API token bound to one virtual server, get 403 on nearly every path.",
    },
    servers: [{ url: "/v1" }, { url: "/" }],
    security: [{ bearer: [] }],
    tags: [
      ...REGISTRY_TAGS.map((name) => ({ name })),
      ...AUTH_TAGS,
      ...(options.reverseProxy ? [REVERSE_PROXY_TAG] : []),
    ],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}
