import type { Client, McpSubscription } from "@modelcontextprotocol/client";

/** Upstream notifications that belong to no call: the ones an {@link UpstreamWatch} listens for. */
export const WATCHED_NOTIFICATIONS = [
  "notifications/resources/updated",
  "notifications/tools/list_changed",
  "notifications/resources/list_changed",
  "notifications/prompts/list_changed",
] as const;

/** One of {@link WATCHED_NOTIFICATIONS}. */
export type WatchedNotificationMethod = (typeof WATCHED_NOTIFICATIONS)[number];

/** First and longest pause before a dropped 2026 listen stream is opened again. */
const RELISTEN_MIN_MS = 1_000;
const RELISTEN_MAX_MS = 30_000;

/**
 * Keeps one connected upstream client subscribed to the resource URIs the gateway needs, in the
 * upstream's own era: `resources/subscribe`/`unsubscribe` on a 2025 session (whose list_changed
 * notifications arrive unsolicited on its GET stream), or one `subscriptions/listen` stream on a
 * 2026 connection, carrying list_changed and the URI set. A listen filter cannot be edited, so a
 * new URI set opens a new stream before the old one is closed (an update may then arrive twice,
 * never not at all).
 */
export class UpstreamWatch {
  readonly #client: Client;
  readonly #ackTimeoutMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #subscribed = new Set<string>();
  #uris: readonly string[] = [];
  #listen: McpSubscription | undefined;
  #queue: Promise<void> = Promise.resolve();
  #relistenDelay = RELISTEN_MIN_MS;
  #relistenTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(client: Client, options: { ackTimeoutMs: number; onError: (error: unknown) => void }) {
    this.#client = client;
    this.#ackTimeoutMs = options.ackTimeoutMs;
    this.#onError = options.onError;
  }

  /** Whether the upstream accepts resource subscriptions at all. */
  get canSubscribe(): boolean {
    return this.#client.getServerCapabilities()?.resources?.subscribe === true;
  }

  /** On a 2026 connection, opens the listen stream for list_changed (2025 needs nothing). */
  start(): Promise<void> {
    return this.#enqueue(() => (this.#modern ? this.#relisten() : Promise.resolve()));
  }

  /** Makes the upstream subscription set exactly `uris`; rejects when the upstream refuses. */
  setUris(uris: readonly string[]): Promise<void> {
    return this.#enqueue(async () => {
      this.#uris = [...uris];
      if (this.#modern) {
        await this.#relisten();
        return;
      }
      if (!this.canSubscribe) return;
      const wanted = new Set(uris);
      for (const uri of [...this.#subscribed]) {
        if (wanted.has(uri)) continue;
        this.#subscribed.delete(uri);
        await this.#client.unsubscribeResource({ uri }).catch(this.#onError);
      }
      for (const uri of wanted) {
        if (this.#subscribed.has(uri)) continue;
        await this.#client.subscribeResource({ uri });
        this.#subscribed.add(uri);
      }
    });
  }

  /** Stops listening; the client itself is closed by its owner. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#relistenTimer);
    const listen = this.#listen;
    this.#listen = undefined;
    await listen?.close().catch(() => {});
  }

  get #modern(): boolean {
    return this.#client.getProtocolEra() === "modern";
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => (this.#closed ? undefined : task()));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Opens a listen stream for the current URI set, then closes the one it replaces. */
  async #relisten(): Promise<void> {
    clearTimeout(this.#relistenTimer);
    const caps = this.#client.getServerCapabilities() ?? {};
    const filter = {
      ...(caps.tools?.listChanged ? { toolsListChanged: true } : {}),
      ...(caps.prompts?.listChanged ? { promptsListChanged: true } : {}),
      ...(caps.resources?.listChanged ? { resourcesListChanged: true } : {}),
      ...(caps.resources?.subscribe && this.#uris.length > 0
        ? { resourceSubscriptions: [...this.#uris] }
        : {}),
    };
    const previous = this.#listen;
    this.#listen = undefined;
    if (Object.keys(filter).length > 0) {
      const listen = await this.#client.listen(filter, { timeout: this.#ackTimeoutMs });
      this.#listen = listen;
      this.#relistenDelay = RELISTEN_MIN_MS;
      void listen.closed.then((cause) => {
        if (cause !== "local" && this.#listen === listen) this.#scheduleRelisten();
      });
    }
    await previous?.close().catch(() => {});
  }

  /** The upstream ended the stream: open it again, backing off while that fails. */
  #scheduleRelisten(): void {
    if (this.#closed) return;
    this.#listen = undefined;
    const delay = this.#relistenDelay;
    this.#relistenDelay = Math.min(delay * 2, RELISTEN_MAX_MS);
    this.#relistenTimer = setTimeout(() => {
      this.#enqueue(() => this.#relisten()).catch((error: unknown) => {
        this.#onError(error);
        this.#scheduleRelisten();
      });
    }, delay);
    this.#relistenTimer.unref();
  }
}
