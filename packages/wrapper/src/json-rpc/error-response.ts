import { RemoteHttpError, WrapperError } from "../wrapper-error.js";
import { ERROR_CODES, errorResponse, type JsonRpcId, type JsonRpcMessage, objectAt } from "./json-rpc.js";

/**
 * The JSON-RPC error the stdio client gets for a request that failed. This is the one place
 * where failures become wire errors: the remote's own JSON-RPC error (an HTTP 4xx body) is passed
 * through; anything else gets a generic message without URLs, headers or credentials.
 */
export function toErrorResponse(id: JsonRpcId, error: unknown): JsonRpcMessage {
  if (error instanceof RemoteHttpError) {
    const remote = remoteRpcError(error.body);
    if (remote !== undefined) return { jsonrpc: "2.0", id, error: remote };
    const hint = error.status === 401 || error.status === 403 ? "; check MCP_AUTH / --auth" : "";
    return errorResponse(
      id,
      ERROR_CODES.remoteError,
      `The remote MCP server answered HTTP ${error.status}${hint}`,
      { status: error.status },
    );
  }
  if (error instanceof WrapperError) {
    switch (error.code) {
      case "timeout":
        return errorResponse(id, ERROR_CODES.requestTimeout, error.message);
      case "remote_unreachable":
        return errorResponse(id, ERROR_CODES.remoteError, "The remote MCP server could not be reached");
      case "connection_lost":
        return errorResponse(
          id,
          ERROR_CODES.remoteError,
          "The connection to the remote MCP server was lost before it answered",
        );
      case "closed":
        return errorResponse(id, ERROR_CODES.remoteError, "mcpwrapper is shutting down");
      case "invalid_options":
        break;
    }
  }
  return errorResponse(id, ERROR_CODES.internalError, "Internal error");
}

/** The `error` member of a JSON-RPC error response body, if the body is one. */
function remoteRpcError(body: string): Record<string, unknown> | undefined {
  try {
    const error = objectAt(JSON.parse(body), "error");
    return typeof error?.code === "number" && typeof error.message === "string" ? error : undefined;
  } catch {
    return undefined;
  }
}
