/** A progress notification the upstream sent for a call (its token already stripped). */
export interface UpstreamProgress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

/** A request the upstream sends back to the client while a call runs (sampling, elicitation, roots). */
export interface UpstreamServerRequest {
  readonly method: string;
  readonly params?: Record<string, unknown>;
  /**
   * The upstream's id of the request: its JSON-RPC id (2025), or the key of the entry in a 2026
   * upstream's `inputRequests` that the SDK client is fulfilling.
   */
  readonly id?: string | number;
}

/** A notification the upstream sent while a call ran, such as `notifications/message`. */
export interface UpstreamNotification {
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

/**
 * The downstream session a call belongs to: a 2025-era streamable HTTP session, a legacy SSE
 * session or a WebSocket connection. Upstreams that keep state per session get an upstream session
 * of their own for it (see `UpstreamSessionMode`), closed when `ended` aborts.
 */
export interface DownstreamSessionKey {
  /** Unique among the downstream sessions of the process. */
  readonly id: string;
  /** Aborts when the downstream session ends (DELETE, stream or socket closed, idle expiry). */
  readonly ended: AbortSignal;
}

/** What one downstream call brings to an upstream request besides its parameters. */
export interface UpstreamCallContext {
  /** The downstream cancelled: the upstream request is cancelled (`notifications/cancelled`). */
  readonly signal?: AbortSignal;
  /**
   * Deadline of this call, reset by each progress notification and stopped while the downstream
   * answers a request of the upstream. Default: the endpoint's `timeoutMs`, else the pool's.
   */
  readonly timeoutMs?: number;
  /**
   * The downstream session making the call. Without one (2026-07-28 requests, `POST /rpc`) the
   * call uses the shared sessions.
   */
  readonly downstreamSession?: DownstreamSessionKey;
  /** Receives the upstream's progress for this call, in order. */
  readonly onProgress?: (progress: UpstreamProgress) => void;
  /**
   * Answers the requests the upstream sends back while THIS call runs (`sampling/createMessage`,
   * `elicitation/create`, `roots/list`) on behalf of the downstream that made the call; its result
   * goes back upstream, a thrown error (with a numeric `code`) goes back as a JSON-RPC error.
   * Undefined: the upstream gets a JSON-RPC error "method not found".
   */
  readonly onServerRequest?: (request: UpstreamServerRequest) => Promise<Record<string, unknown>>;
  /**
   * The client capabilities of the downstream that made the call (sampling, elicitation, roots),
   * declared to a 2026-07-28 upstream in this request's `_meta`. Undefined: the session's.
   */
  readonly clientCapabilities?: Record<string, unknown>;
  /** Notifications that belong to this call, e.g. `notifications/message` logged while it runs. */
  readonly onNotification?: (notification: UpstreamNotification) => void;
  /** `_meta` members added to this request's params (the federation `via` marker). */
  readonly meta?: Readonly<Record<string, unknown>>;
}
