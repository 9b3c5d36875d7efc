/**
 * Hands items over one per macrotask, in order. A socket (ws, or a Redis subscriber) emits every
 * message of one TCP read in the same tick, and the MCP SDK runs notification handlers a microtask
 * late but settles responses at once (forgetting the request's progress handler then): delivered
 * back to back, the progress notifications sent just before a result would be dropped. An end
 * queued with {@link MacrotaskInbox.end} waits its turn too, so that a response read before it
 * is not failed as "connection closed".
 */
export class MacrotaskInbox<T> {
  readonly #items: ({ readonly end: true } | { readonly end: false; readonly item: T })[] = [];
  readonly #deliver: (item: T) => void;
  readonly #ended: () => void;
  #draining = false;

  constructor(deliver: (item: T) => void, ended: () => void) {
    this.#deliver = deliver;
    this.#ended = ended;
  }

  /** Whether items are waiting (an end must then queue behind them). */
  get busy(): boolean {
    return this.#draining;
  }

  push(item: T): void {
    this.#enqueue({ end: false, item });
  }

  /** Calls `ended` after the items queued before. */
  end(): void {
    this.#enqueue({ end: true });
  }

  #enqueue(entry: { readonly end: true } | { readonly end: false; readonly item: T }): void {
    this.#items.push(entry);
    if (this.#draining) return;
    this.#draining = true;
    setImmediate(() => this.#drainOne());
  }

  #drainOne(): void {
    const entry = this.#items.shift();
    if (entry?.end) this.#ended();
    else if (entry) this.#deliver(entry.item);
    if (this.#items.length > 0) setImmediate(() => this.#drainOne());
    else this.#draining = false;
  }
}
