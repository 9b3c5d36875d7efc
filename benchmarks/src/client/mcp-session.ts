/** The protocol version a 2025-era session asks for in `initialize`. */
export const SESSION_PROTOCOL_VERSION = "2025-11-25";
/** The stateless protocol version: no `initialize`, a `_meta` envelope and routing headers. */
export const STATELESS_PROTOCOL_VERSION = "2026-07-28";

/** A JSON-RPC message as the load generator reads it. */
export interface JsonRpcMessage {
  readonly jsonrpc?: string;
  readonly id?: string | number | null;
  readonly method?: string;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string };
}

/**
 * One client session with an MCP server. `open()` does whatever the transport needs before the
 * first call (the 2025 `initialize` handshake, the SSE stream); `request()` resolves with the
 * JSON-RPC result or rejects with an {@link McpCallError}.
 */
export interface McpSession {
  open(): Promise<void>;
  request(method: string, params: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

/** Why a call failed: `rpc` (a JSON-RPC error answer, the session is fine) or `transport`. */
export class McpCallError extends Error {
  readonly kind: "rpc" | "transport";

  constructor(kind: "rpc" | "transport", message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "McpCallError";
    this.kind = kind;
  }
}

/** The result of the message answering `id`, or an {@link McpCallError}. */
export function resultOf(message: JsonRpcMessage | undefined, id: number): unknown {
  if (message === undefined) throw new McpCallError("transport", `no answer to request ${id}`);
  if (message.error !== undefined)
    throw new McpCallError("rpc", `JSON-RPC error ${message.error.code}: ${message.error.message}`);
  return message.result;
}
