import type { Tool } from "@modelcontextprotocol/server";
import type { Method, Service, Type } from "protobufjs";
import type { TranslateLogger } from "../logger.js";
import {
  isJsonObjectMessage,
  type JsonSchema,
  messageJsonSchema,
  type SchemaUse,
} from "./proto-json-schema.js";
import type { DiscoveredServices } from "./reflection-client.js";
import { assignToolNames } from "./tool-names.js";

/** A unary gRPC method offered as an MCP tool. */
export interface GrpcTool {
  /** What `tools/list` shows. */
  readonly tool: Tool;
  /** The HTTP/2 path of the method, `/package.Service/Method`. */
  readonly path: string;
  readonly requestType: Type;
  readonly responseType: Type;
  /**
   * True when the message is not an object in proto3 JSON (a well-known type such as Timestamp):
   * MCP wants objects, so such a value travels as `{ "value": ... }`.
   */
  readonly wrapRequest: boolean;
  readonly wrapResponse: boolean;
}

/**
 * One tool per unary method of the discovered services (see `assignToolNames` for the names);
 * streaming methods are left out and logged.
 */
export function buildGrpcTools(discovered: DiscoveredServices, log: TranslateLogger): GrpcTool[] {
  const methods: { service: Service; method: Method }[] = [];
  for (const name of discovered.services) {
    const service = discovered.root.lookupService(name);
    for (const method of service.methodsArray) {
      if (method.requestStream || method.responseStream) {
        log(
          "warn",
          `skipping ${name}/${method.name}: ${streamingKind(method)}-streaming methods cannot be tools`,
        );
        continue;
      }
      methods.push({ service, method });
    }
  }
  const names = assignToolNames(
    methods.map(({ service, method }) => ({ service: service.fullName.slice(1), method: method.name })),
  );
  return methods.map(({ service, method }, index) => {
    const requestType = method.resolvedRequestType as Type;
    const responseType = method.resolvedResponseType as Type;
    const wrapRequest = !isJsonObjectMessage(requestType);
    const wrapResponse = !isJsonObjectMessage(responseType);
    return {
      tool: {
        name: names[index] ?? method.name,
        description: describe(service, method, requestType, responseType),
        inputSchema: rootSchema(requestType, "input", wrapRequest),
        outputSchema: rootSchema(responseType, "output", wrapResponse),
      } as Tool,
      path: `/${service.fullName.slice(1)}/${method.name}`,
      requestType,
      responseType,
      wrapRequest,
      wrapResponse,
    };
  });
}

function rootSchema(type: Type, use: SchemaUse, wrap: boolean): JsonSchema {
  const schema = messageJsonSchema(type, use);
  if (!wrap) return schema;
  const { $defs, ...value } = schema;
  return {
    type: "object",
    properties: { value },
    required: ["value"],
    ...($defs === undefined ? {} : { $defs }),
  };
}

function describe(service: Service, method: Method, request: Type, response: Type): string {
  const call = `Calls the unary gRPC method ${service.fullName.slice(1)}/${method.name} (request ${request.fullName.slice(1)}, response ${response.fullName.slice(1)}).`;
  return [method.comment, service.comment, call].filter((text) => text).join("\n\n");
}

function streamingKind(method: Method): string {
  if (method.requestStream && method.responseStream) return "bidirectional";
  return method.requestStream ? "client" : "server";
}
