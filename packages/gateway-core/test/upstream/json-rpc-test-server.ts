import { type HttpTestServer, readJson, startHttpTestServer } from "./http-test-server.js";

/** Answers one JSON-RPC method: the returned value is the `result`. */
export type MethodHandler = (params: Record<string, unknown>) => unknown;

export interface JsonRpcTestServer {
  readonly url: string;
  readonly http: HttpTestServer;
  /** Methods of the requests received, in order (notifications included). */
  readonly methods: readonly string[];
}

interface JsonRpcMessage {
  readonly id?: string | number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
}

/**
 * A bare streamable HTTP endpoint (stateless, JSON replies) speaking JSON-RPC by hand, for upstream
 * behaviour the SDKs will not produce: endless pagination, missing capabilities. Methods without a
 * handler (such as the 2026 `server/discover` probe) get -32601, as from a 2025-era server.
 */
export async function startJsonRpcTestServer(
  handlers: Readonly<Record<string, MethodHandler>>,
): Promise<JsonRpcTestServer> {
  const methods: string[] = [];
  const http = await startHttpTestServer(async (req, res) => {
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const message = (await readJson(req)) as JsonRpcMessage;
    methods.push(message.method ?? "<response>");
    if (message.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const handler = message.method === undefined ? undefined : handlers[message.method];
    const reply = handler
      ? { jsonrpc: "2.0", id: message.id, result: handler(message.params ?? {}) }
      : { jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
  });
  return { url: `${http.origin}/mcp`, http, methods };
}

/** An `initialize` handler answering with the client's version and the given capabilities. */
export function initializeWith(capabilities: Record<string, unknown>): MethodHandler {
  return (params) => ({
    protocolVersion: params.protocolVersion,
    capabilities,
    serverInfo: { name: "json-rpc-test-server", version: "0.0.1" },
  });
}
