/** JSON-RPC 2.0 error codes the transports answer with themselves. */
export const JSON_RPC_PARSE_ERROR = -32700;
/** The message is valid JSON but not a JSON-RPC message. */
export const JSON_RPC_INVALID_REQUEST = -32600;

/** A JSON-RPC error response (`id` is null when the request's id could not be read). */
export interface JsonRpcErrorMessage {
  readonly jsonrpc: "2.0";
  readonly id: string | number | null;
  readonly error: { readonly code: number; readonly message: string };
}

/** Builds a JSON-RPC error response. */
export function jsonRpcError(
  code: number,
  message: string,
  id: string | number | null = null,
): JsonRpcErrorMessage {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

/** The id of a parsed but invalid message, when it has a usable one. */
export function idOf(value: unknown): string | number | null {
  const id = typeof value === "object" && value !== null ? (value as { id?: unknown }).id : undefined;
  return typeof id === "string" || typeof id === "number" ? id : null;
}
