import { type Client, type Metadata, type ServiceError, status } from "@grpc/grpc-js";
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { Message } from "protobufjs";
import type { GrpcTool } from "./grpc-tools.js";
import { messageFromJson, messageToJson } from "./proto-json.js";

/** Calls unary methods on the shared channel, each with the configured metadata and deadline. */
export class GrpcInvoker {
  readonly #client: Client;
  readonly #metadata: Metadata;
  readonly #timeoutMs: number;

  constructor(client: Client, metadata: Metadata, timeoutMs: number) {
    this.#client = client;
    this.#metadata = metadata;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Converts `args` with the proto3 JSON mapping, calls the method and answers with the response
   * as `structuredContent` and as JSON text. Bad arguments and gRPC errors become results with
   * `isError` (a model can read and correct them); this never rejects. Aborting `signal` cancels
   * the call.
   */
  async call(
    tool: GrpcTool,
    args: Record<string, unknown> | undefined,
    signal: AbortSignal,
  ): Promise<CallToolResult> {
    let request: Message;
    try {
      request = messageFromJson(tool.requestType, tool.wrapRequest ? args?.value : (args ?? {}));
    } catch (error) {
      return failure(`invalid arguments for ${tool.tool.name}: ${(error as Error).message}`);
    }
    let response: Message;
    try {
      response = await this.#unary(tool, request, signal);
    } catch (error) {
      return failure(describeGrpcError(error));
    }
    const json = messageToJson(tool.responseType, response);
    const structured = (tool.wrapResponse ? { value: json } : json) as Record<string, unknown>;
    return { content: [{ type: "text", text: JSON.stringify(json) }], structuredContent: structured };
  }

  #unary(tool: GrpcTool, request: Message, signal: AbortSignal): Promise<Message> {
    const { requestType, responseType } = tool;
    return new Promise((resolve, reject) => {
      const call = this.#client.makeUnaryRequest(
        tool.path,
        (message: Message) => Buffer.from(requestType.encode(message).finish()),
        (bytes: Buffer) => responseType.decode(bytes),
        request,
        this.#metadata.clone(),
        { deadline: Date.now() + this.#timeoutMs },
        (error, response) => {
          signal.removeEventListener("abort", cancel);
          if (error || response === undefined) reject(error ?? new Error("empty response"));
          else resolve(response);
        },
      );
      const cancel = (): void => call.cancel();
      if (signal.aborted) cancel();
      else signal.addEventListener("abort", cancel, { once: true });
    });
  }
}

/** `gRPC NOT_FOUND (5): <details>` for a gRPC error; the message for anything else. */
export function describeGrpcError(error: unknown): string {
  const serviceError = error as Partial<ServiceError>;
  if (typeof serviceError.code !== "number") return `gRPC call failed: ${(error as Error).message}`;
  const name = status[serviceError.code] ?? "UNKNOWN";
  return `gRPC ${name} (${serviceError.code}): ${serviceError.details ?? ""}`;
}

function failure(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}
