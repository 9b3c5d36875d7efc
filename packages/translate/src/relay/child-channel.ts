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
  /** Requests of this session the child has not answered yet. */
  readonly pendingRequests: number;
  /** Forwards one client message to the child. */
  send(message: JsonRpcMessage): void;
  /** Ends the link (and, for a dedicated child, the process); idempotent. */
  close(): void;
}

/** Opens channels for sessions: a child per session, or one shared child. */
export interface ChildConnector {
  /** Rejects with a `SupervisorError` when no child can be had. */
  open(sessionId: string, sink: SessionSink): Promise<ChildChannel>;
  /** Gives back what the connector itself holds (the shared child's lease). */
  close(): void;
}
