/** A JSON-RPC request id. */
type RequestId = string | number;

/** The JSON-RPC error a request gets when the local server exits before answering it. */
export const LOCAL_SERVER_EXITED: { readonly code: number; readonly message: string } = {
  // -32000: the MCP SDKs' "connection closed".
  code: -32000,
  message: "the local MCP server exited",
};

/** The messages of one JSON-RPC message or batch. */
function messagesOf(message: unknown): Record<string, unknown>[] {
  const list = Array.isArray(message) ? message : [message];
  return list.filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null);
}

const isId = (id: unknown): id is RequestId => typeof id === "string" || typeof id === "number";

/**
 * The gateway's requests that a local process has not answered yet, so that they can be answered
 * with an error when the process exits, instead of waiting for their timeout.
 */
export class PendingRequests {
  // Keyed by the id's JSON, so that 1 and "1" stay apart.
  readonly #ids = new Map<string, RequestId>();

  /** Notes a message the gateway sent to the local server. */
  sent(message: unknown): void {
    for (const item of messagesOf(message))
      if (isId(item.id) && typeof item.method === "string") this.#ids.set(JSON.stringify(item.id), item.id);
  }

  /** Notes a message the local server sent to the gateway. */
  received(message: unknown): void {
    for (const item of messagesOf(message))
      if (isId(item.id) && item.method === undefined) this.#ids.delete(JSON.stringify(item.id));
  }

  /** An error response for every unanswered request, which are then forgotten. */
  fail(): { jsonrpc: "2.0"; id: RequestId; error: typeof LOCAL_SERVER_EXITED }[] {
    const responses = [...this.#ids.values()].map((id) => ({
      jsonrpc: "2.0" as const,
      id,
      error: LOCAL_SERVER_EXITED,
    }));
    this.#ids.clear();
    return responses;
  }
}
