import { ProtocolError, ProtocolErrorCode, Server } from "@modelcontextprotocol/server";
import type { ChildChannel, ChildConnector, SessionSink } from "../relay/child-channel.js";
import { VERSION } from "../version.js";
import type { GrpcInvoker } from "./grpc-invoker.js";
import type { GrpcTool } from "./grpc-tools.js";
import { InProcessTransport } from "./in-process-transport.js";

/** What every session's MCP server offers. */
export interface GrpcConnectorOptions {
  readonly tools: readonly GrpcTool[];
  readonly invoker: GrpcInvoker;
  /** `host:port`, for the server's instructions and the logs. */
  readonly target: string;
}

/**
 * Gives every downstream session its own MCP server (SDK v2), in this process, whose tools call
 * the gRPC server through the one shared channel. Nothing is kept per session but the MCP state.
 */
export class GrpcConnector implements ChildConnector {
  readonly #options: GrpcConnectorOptions;
  readonly #byName: ReadonlyMap<string, GrpcTool>;

  constructor(options: GrpcConnectorOptions) {
    this.#options = options;
    this.#byName = new Map(options.tools.map((tool) => [tool.tool.name, tool]));
  }

  async open(_sessionId: string, sink: SessionSink): Promise<ChildChannel> {
    const server = this.#createServer();
    const transport = new InProcessTransport(sink);
    await server.connect(transport);
    return {
      pid: process.pid,
      description: `gRPC ${this.#options.target}`,
      get pendingRequests(): number {
        return transport.pendingRequests;
      },
      send: (message) => transport.receive(message),
      close: () => {
        // Closing an in-process transport cannot fail; nothing is left to report to.
        server.close().catch(() => {});
      },
    };
  }

  close(): void {}

  #createServer(): Server {
    const { tools, invoker, target } = this.#options;
    const server = new Server(
      { name: "mcptranslate-grpc", version: VERSION },
      {
        capabilities: { tools: {} },
        instructions: `Tools calling the unary methods of the gRPC server ${target}; arguments and results use the proto3 JSON mapping.`,
      },
    );
    const listed = tools.map((tool) => tool.tool);
    server.setRequestHandler("tools/list", () => ({ tools: listed }));
    server.setRequestHandler("tools/call", (request, ctx) => {
      const tool = this.#byName.get(request.params.name);
      if (!tool)
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
      return invoker.call(tool, request.params.arguments, ctx.mcpReq.signal);
    });
    return server;
  }
}
