import { describeUrls, startHttpExposure, type TranslateUrls } from "../http/start-http-exposure.js";
import { TranslateError } from "../translate-error.js";
import { createGrpcClient } from "./grpc-client.js";
import { GrpcConnector } from "./grpc-connector.js";
import { GrpcInvoker } from "./grpc-invoker.js";
import { type GrpcTranslateOptions, resolveGrpcOptions } from "./grpc-options.js";
import { buildGrpcTools, type GrpcTool } from "./grpc-tools.js";
import { discoverServices } from "./reflection-client.js";

/** A running gRPC bridge, from {@link startGrpcTranslate}. */
export interface GrpcTranslateHandle {
  /** The bound port (useful with `port: 0`). */
  readonly port: number;
  readonly urls: TranslateUrls;
  /** Downstream sessions open now. */
  readonly sessionCount: number;
  /** The tool names, one per unary method. */
  readonly tools: readonly string[];
  /** Stops accepting, ends every session, closes the gRPC channel and the listener; idempotent. */
  close(): Promise<void>;
}

/**
 * Discovers the services of a gRPC server through server reflection and exposes each unary
 * method as an MCP tool over SSE, streamable HTTP and/or WebSocket, on one port. Throws a
 * `TranslateError`: `invalid_options` for bad options, `grpc_unavailable` when the server cannot be
 * reached or offers no reflection; rejects when the port cannot be bound.
 */
export async function startGrpcTranslate(options: GrpcTranslateOptions): Promise<GrpcTranslateHandle> {
  const resolved = resolveGrpcOptions(options);
  const log = resolved.expose.logger;
  const client = createGrpcClient(resolved);
  let tools: GrpcTool[];
  try {
    const discovered = await discoverServices(client, resolved.metadata, resolved.timeoutMs);
    tools = buildGrpcTools(discovered, log);
    log("debug", `reflection ${discovered.version}: services ${discovered.services.join(", ")}`);
  } catch (cause) {
    client.close();
    throw new TranslateError(
      "grpc_unavailable",
      `cannot discover the services of the gRPC server ${resolved.target}: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (tools.length === 0) log("warn", `the gRPC server ${resolved.target} has no unary method to offer`);
  const invoker = new GrpcInvoker(client, resolved.metadata, resolved.timeoutMs);
  const exposure = await startHttpExposure({
    expose: resolved.expose,
    connector: new GrpcConnector({ tools, invoker, target: resolved.target }),
    health: () => ({ tools: tools.length }),
    release: async () => client.close(),
  });
  log("info", `serving gRPC ${resolved.target} (${tools.length} tools) on ${describeUrls(exposure.urls)}`);
  return {
    port: exposure.port,
    urls: exposure.urls,
    get sessionCount(): number {
      return exposure.sessionCount;
    },
    tools: tools.map((tool) => tool.tool.name),
    close: () => exposure.close(),
  };
}
