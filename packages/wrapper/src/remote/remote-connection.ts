import type { JsonRpcMessage } from "../json-rpc/json-rpc.js";

/** Where the remote is and what every HTTP request to it carries. */
export interface RemoteTarget {
  readonly url: URL;
  /** Sent on every request: `Authorization` and the `--header` values. */
  readonly headers: Readonly<Record<string, string>>;
}

/** What a connection reports to its owner. */
export interface RemoteEvents {
  /** A message from the remote: a response, a notification or a server-to-client request. */
  onMessage(message: JsonRpcMessage, connection: RemoteConnection): void;
  /** The remote's session or stream is gone (e.g. the gateway restarted). */
  onLost(connection: RemoteConnection, cause: unknown): void;
  /** A transport diagnostic that needs no action (logged at debug level). */
  onDiagnostic(error: unknown): void;
}

/** Options of {@link RemoteConnection.send}. */
export interface RemoteSendOptions {
  /** Aborts the request's HTTP exchange (the 2026 way to cancel, and a timed-out request's cleanup). */
  readonly signal?: AbortSignal;
  /** Called when the request's response stream ends, answered or not. */
  readonly onStreamEnd?: () => void;
}

/** One session (or, for a 2026 client, the stateless channel) with the remote MCP server. */
export interface RemoteConnection {
  /** The HTTP transport in use. */
  readonly kind: "streamable-http" | "sse";
  /** True once the remote reported the session or stream gone. */
  readonly lost: boolean;
  /** Sends one message; responses and server messages arrive through {@link RemoteEvents.onMessage}. */
  send(message: JsonRpcMessage, options?: RemoteSendOptions): Promise<void>;
  /** The negotiated protocol version, sent as `MCP-Protocol-Version` from now on. */
  setProtocolVersion(version: string): void;
  /** Ends the remote session (HTTP DELETE) when there is one. */
  terminate(): Promise<void>;
  /** Closes every stream; no message arrives afterwards. */
  close(): Promise<void>;
}
