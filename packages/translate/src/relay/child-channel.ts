import type { JsonRpcId, JsonRpcMessage } from "./json-rpc.js";

/** Where a child's messages for one downstream session go. */
export interface SessionSink {
  /**
   * A message from the child for this session. `relatedRequestId` is the session's own request
   * the message belongs to (a response, its progress, or a message sent while it ran), when known:
   * streamable HTTP puts it on that request's stream.
   */
  deliver(message: JsonRpcMessage, relatedRequestId: JsonRpcId | undefined): void;
  /** The child is gone (crashed or exited): the session must end. */
  lost(reason: string): void;
}

/** One downstream session's link to a stdio child (its own, or a shared one). */
export interface ChildChannel {
  /** The child's pid, for logs and tests. */
  readonly pid: number;
  /** What serves the session, for logs. Default: `stdio server pid <pid>`. */
  readonly description?: string;
  /** Requests of this session the child has not answered yet. */
  readonly pendingRequests: number;
  /** Forwards one client message to the child. */
  send(message: JsonRpcMessage): void;
  /** Ends the link (and, for a dedicated child, the process); idempotent. */
  close(): void;
}

/**
 * The protocol era of a request: `modern` when it carries the 2026-07-28 `_meta` version claim.
 * A stdio server pins its era with the first message it reads, so the eras never share a child.
 */
export type ProtocolEra = "legacy" | "modern";

/** What decides which child serves a session, besides the session itself. */
export interface ChildContext {
  /** Variables from `--header-to-env`: the child runs with exactly these values. */
  readonly env: Readonly<Record<string, string>>;
  readonly era: ProtocolEra;
}

/** A session without `--header-to-env` variables, in the 2025 era. */
export const DEFAULT_CHILD_CONTEXT: ChildContext = { env: {}, era: "legacy" };

/** Opens channels for sessions: a child per session, or shared children. */
export interface ChildConnector {
  /** Rejects with a `SupervisorError` when no child can be had. */
  open(sessionId: string, sink: SessionSink, context: ChildContext): Promise<ChildChannel>;
  /** Gives back what the connector itself holds (the shared children's leases). */
  close(): void;
}
