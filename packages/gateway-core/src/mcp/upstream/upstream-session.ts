import type { Client } from "@modelcontextprotocol/client";
import { httpStatusOf } from "./to-upstream-error.js";
import { UpstreamCallRouter } from "./upstream-call-router.js";
import type { UpstreamConnection } from "./upstream-connection.js";
import { UpstreamWatch, WATCHED_NOTIFICATIONS, type WatchedNotificationMethod } from "./upstream-watch.js";

/** How to open one pooled upstream session. */
export interface UpstreamSessionOptions {
  /** The client and transport, not yet connected; the session owns it from now on. */
  readonly connection: UpstreamConnection;
  /**
   * The transport delivers server->client messages outside any request's context (legacy SSE,
   * WebSocket): route them to the sole call in flight.
   */
  readonly soleCallFallback: boolean;
  readonly revision: number;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** Called once, when the session has closed for whatever reason. */
  readonly onClosed: (session: UpstreamSession) => void;
  /** Receives the upstream's notifications that belong to no call (resources/updated, list_changed). */
  readonly onNotification: (method: WatchedNotificationMethod, params: Record<string, unknown>) => void;
  /** Receives failures of background work (listen streams, unsubscribes); never thrown. */
  readonly onBackgroundError: (error: unknown) => void;
}

/**
 * One SDK client session with an upstream, shared by many concurrent calls. It connects lazily
 * and once, closes itself after `idleTimeoutMs` without calls, when the transport closes, or when
 * the upstream reports its session gone (HTTP 404 on a 2025 session); a closed session is never
 * reused, so the pool reconnects on the next call instead of staying "online but dead". A pinned
 * session (one holding resource subscriptions) does not close when idle.
 */
export class UpstreamSession {
  readonly revision: number;
  readonly router: UpstreamCallRouter;
  readonly #connection: UpstreamConnection;
  readonly #options: UpstreamSessionOptions;
  readonly #ready: Promise<Client>;
  readonly #watch: Promise<UpstreamWatch>;
  #watching: UpstreamWatch | undefined;
  #active = 0;
  #pins = 0;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #retiring = false;
  #closed: Promise<void> | undefined;

  constructor(options: UpstreamSessionOptions) {
    this.revision = options.revision;
    this.#options = options;
    this.router = new UpstreamCallRouter({ soleCallFallback: options.soleCallFallback });
    this.#connection = options.connection;
    const { client } = this.#connection;
    this.router.install(client);
    for (const method of WATCHED_NOTIFICATIONS) {
      client.setNotificationHandler(method, (notification) => {
        try {
          options.onNotification(method, { ...notification.params });
        } catch (error) {
          options.onBackgroundError(error);
        }
      });
    }
    client.onclose = () => void this.close();
    client.onerror = (error) => {
      if (this.#lostUpstreamSession(error)) void this.close();
    };
    this.#ready = this.#connect();
    this.#ready.catch(() => {});
    this.#watch = this.#ready.then((connected) => {
      const watch = new UpstreamWatch(connected, {
        ackTimeoutMs: options.connectTimeoutMs,
        onError: options.onBackgroundError,
      });
      this.#watching = watch;
      if (this.#closed !== undefined) void watch.close();
      // A 2026 upstream sends list_changed only on a listen stream; open it with the session.
      else watch.start().catch(options.onBackgroundError);
      return watch;
    });
    this.#watch.catch(() => {});
  }

  /** False once closing or retired: the pool then opens another session. */
  get usable(): boolean {
    return this.#closed === undefined && !this.#retiring;
  }

  /** True once closing has begun. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Calls currently using the session (connecting included). */
  get load(): number {
    return this.#active;
  }

  /** Whether the connection is a 2025-era session with an `Mcp-Session-Id`. */
  get hasSessionId(): boolean {
    return this.#connection.hasSessionId;
  }

  /** Marks a call as using the session; pair with {@link release}. */
  hold(): void {
    this.#active++;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /** Ends a {@link hold}; the last one out arms the idle timer (or closes a retired session). */
  release(): void {
    this.#active--;
    this.#whenUnused();
  }

  /** Keeps the session open while unused (it holds resource subscriptions); pair with {@link unpin}. */
  pin(): void {
    this.#pins++;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /** Ends a {@link pin}. */
  unpin(): void {
    this.#pins--;
    this.#whenUnused();
  }

  /** Makes the upstream subscription set of this session exactly `uris` (connecting first). */
  async watchUris(uris: readonly string[]): Promise<void> {
    await (await this.#watch).setUris(uris);
  }

  /** The connected client; rejects with the connect failure (the session is then closed). */
  connected(): Promise<Client> {
    return this.#ready;
  }

  /** Stops taking calls and closes once the calls in flight are done (the gateway changed). */
  retire(): void {
    this.#retiring = true;
    if (this.#active === 0) void this.close();
  }

  /** Closes the session now (DELETE for a 2025 session); calls in flight fail. Never throws. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearTimeout(this.#idleTimer);
      this.#options.onClosed(this);
      await this.#watching?.close();
      await this.#connection.close();
    })();
    return this.#closed;
  }

  #whenUnused(): void {
    if (this.#active > 0 || this.#closed !== undefined) return;
    if (this.#retiring) {
      void this.close();
      return;
    }
    if (this.#pins > 0) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => void this.close(), this.#options.idleTimeoutMs);
    this.#idleTimer.unref();
  }

  async #connect(): Promise<Client> {
    const { client } = this.#connection;
    const timeoutMs = this.#options.connectTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    let onTimeout: (() => void) | undefined;
    // The legacy SSE transport's start() ignores request timeouts: race it against the deadline.
    const timedOut = new Promise<never>((_, reject) => {
      onTimeout = () => reject(deadline.reason);
      deadline.addEventListener("abort", onTimeout, { once: true });
    });
    try {
      await Promise.race([this.#connection.connect({ timeout: timeoutMs, signal: deadline }), timedOut]);
      return client;
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      if (onTimeout) deadline.removeEventListener("abort", onTimeout);
    }
  }

  /** HTTP 404 on a 2025 session: the upstream restarted or expired the session. */
  #lostUpstreamSession(error: unknown): boolean {
    return this.hasSessionId && httpStatusOf(error) === 404;
  }
}
