import { z } from "zod";

/** A JSON object of the OpenAPI document. */
export type JsonObject = Record<string, unknown>;

/** An error status, or an error status with a description of its own for one operation. */
export type ErrorStatus = number | readonly [status: number, description: string];

/** Request bodies as JSON Schema 2020-12 (what OpenAPI 3.1 uses), from the same zod schemas that validate them. */
export function schemaOf(schema: z.ZodType): JsonObject {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  }) as JsonObject;
  return json;
}

/** Query parameters from the zod schema that validates the query (one parameter per property). */
export function queryParams(schema: z.ZodType): JsonObject[] {
  const { properties = {}, required = [] } = schemaOf(schema) as {
    properties?: Record<string, JsonObject>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: "query",
    required: required.includes(name),
    schema: property,
  }));
}

/** A required string path parameter. */
export function pathParam(name: string): JsonObject {
  return { name, in: "path", required: true, schema: { type: "string" } };
}

/** The `{id}` path parameter. */
export const ID_PARAM: JsonObject = pathParam("id");

/** What each error status means, unless an operation says otherwise. */
export const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: "Malformed request (bad JSON, bad cursor)",
  401: "Missing or invalid credentials",
  403: "Not allowed: the caller sees the item but lacks the permission, or the token is scoped elsewhere",
  404: "Not found",
  409: "Name or URI already taken, or a concurrent change",
  413: "Body larger than MAX_REQUEST_BODY_BYTES",
  415: "Body is not application/json",
  422: "Invalid fields (with their paths)",
  502: "The upstream MCP server could not be reached",
};

/** The body of every error answer (`toHttpError`): a sentence or FastAPI-style field list, and a code. */
export const ERROR_SCHEMA: JsonObject = {
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

/** A JSON content map. */
export function json(schema: JsonObject): JsonObject {
  return { "application/json": { schema } };
}

/** A success response with a JSON body. */
export function ok(description: string, schema: JsonObject = { type: "object" }): JsonObject {
  return { description, content: json(schema) };
}

/** Error responses, each with the shared error body. */
export function errors(...statuses: ErrorStatus[]): JsonObject {
  return Object.fromEntries(
    statuses.map((status) => {
      const [code, description] = typeof status === "number" ? [status, ERROR_TEXT[status]] : status;
      return [
        String(code),
        { description: description ?? "Error", content: json({ $ref: "#/components/schemas/Error" }) },
      ];
    }),
  );
}

/** A path item's servers when its routes are mounted at the root only, not under /v1 like the registry. */
export const ROOT_ONLY: readonly JsonObject[] = [{ url: "/" }];

/** One operation, described compactly: {@link rootPath} expands it. */
export interface OperationDoc {
  readonly summary: string;
  /** The zod schema that validates the JSON body. */
  readonly body?: z.ZodType;
  /** The body may be left out (a revocation reason, a join message). */
  readonly bodyOptional?: true;
  /** The zod schema that validates the query. */
  readonly query?: z.ZodType;
  /** The 200 answer's description, or status, description and body schema (default an object). */
  readonly answer: string | readonly [status: string, description: string, schema?: JsonObject];
  readonly errors: readonly ErrorStatus[];
  /** Needs no credentials (login). */
  readonly open?: true;
}

function operation(tag: string, op: OperationDoc): JsonObject {
  const [status, description, schema] = typeof op.answer === "string" ? ["200", op.answer] : op.answer;
  return {
    tags: [tag],
    summary: op.summary,
    ...(op.open ? { security: [] } : {}),
    ...(op.query ? { parameters: queryParams(op.query) } : {}),
    ...(op.body
      ? { requestBody: { required: op.bodyOptional !== true, content: json(schemaOf(op.body)) } }
      : {}),
    responses: {
      [status]: status === "204" ? { description } : ok(description, schema),
      ...errors(...op.errors),
    },
  };
}

/** A path item served at the root only, its operations under one tag. */
export function rootPath(
  tag: string,
  parameters: readonly JsonObject[],
  operations: Partial<Record<"get" | "put" | "post" | "delete", OperationDoc>>,
): JsonObject {
  return {
    servers: ROOT_ONLY,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...Object.fromEntries(Object.entries(operations).map(([method, op]) => [method, operation(tag, op)])),
  };
}
