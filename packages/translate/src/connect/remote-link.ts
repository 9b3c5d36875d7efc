import type { JsonRpcMessage } from "../relay/json-rpc.js";

/** The remote transports `--connect-*` can dial. */
export type RemoteTransport = "sse" | "streamable-http" | "websocket";

/** Why a {@link RemoteLinkError} was thrown, which decides what the bridge does next. */
export type RemoteLinkErrorCode =
  /** Nothing reached the remote (refused, DNS, 502/503/504): retry the message after a reconnect. */
  | "unreachable"
  /** The remote no longer knows the session (404): initialize again, then retry the message. */
  | "session_lost"
  /** The remote refused the message (401, 400, ...): retrying would not help. */
  | "rejected";

/** A failure of a {@link RemoteLink}; wire details stay in `message` and `cause`. */
export class RemoteLinkError extends Error {
  readonly code: RemoteLinkErrorCode;
  /** The HTTP status, when the remote answered with one. */
  readonly status: number | undefined;

  constructor(
    code: RemoteLinkErrorCode,
    message: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RemoteLinkError";
    this.code = code;
    this.status = options.status;
  }
}

/** What a link reports to its owner. */
export interface RemoteLinkEvents {
  /** A message from the remote server. */
  message(message: JsonRpcMessage): void;
  /**
   * The connection broke outside of any send (stream ended, socket closed). `sessionLost`: the
   * remote session cannot be resumed, so the next connection must initialize again.
   */
  dropped(reason: string, sessionLost: boolean): void;
}

/** One connection to the remote MCP server, carrying raw JSON-RPC messages. */
export interface RemoteLink {
  /**
   * Whether every new link is a new session on the remote (SSE, WebSocket), so `initialize` must
   * be replayed after a reconnect. Streamable HTTP keeps its session across reconnects.
   */
  readonly reconnectIsNewSession: boolean;
  /**
   * Opens the connection; rejects with a {@link RemoteLinkError}. Resolves true when the remote
   * was reached, false when there was nothing to open yet (streamable HTTP before a session).
   */
  open(): Promise<boolean>;
  /**
   * Sends one message; rejects with a {@link RemoteLinkError}. `streamEnded` is called when the
   * answer stream of a request ended (with or without its response).
   */
  send(message: JsonRpcMessage, streamEnded?: () => void): Promise<void>;
  /** The protocol version negotiated by `initialize` (sent as `MCP-Protocol-Version` on HTTP). */
  setProtocolVersion(version: string): void;
  /** Closes the connection; `endSession` also ends the remote session (HTTP DELETE). Idempotent. */
  close(endSession: boolean): Promise<void>;
}

/** Classifies a `fetch` failure: no HTTP answer at all means the remote is unreachable. */
export function unreachable(error: unknown, what: string): RemoteLinkError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error).message;
  return new RemoteLinkError("unreachable", `${what}: ${detail}`, { cause: error });
}

/** Classifies an HTTP error status of the remote. */
export function fromStatus(status: number, what: string): RemoteLinkError {
  const message = `${what}: HTTP ${status}`;
  if (status === 404) return new RemoteLinkError("session_lost", message, { status });
  if (status === 502 || status === 503 || status === 504 || status === 429) {
    return new RemoteLinkError("unreachable", message, { status });
  }
  return new RemoteLinkError("rejected", message, { status });
}
