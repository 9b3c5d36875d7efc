import type { JSONRPCMessage, Transport, TransportSendOptions } from "@modelcontextprotocol/client";
import type { StdioLease } from "./stdio-lease.js";

/**
 * An MCP SDK (v2) `Transport` over a leased stdio server, so a client can talk to a supervised
 * process: `await client.connect(new StdioLeaseTransport(lease))`. `close()` releases the lease;
 * the process itself stops when the supervisor decides (idle timeout, close). When the process
 * exits, `onclose` fires and the lease is released.
 *
 * Messages are passed through as parsed; the SDK's protocol layer validates them.
 */
export class StdioLeaseTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport["onmessage"];
  sessionId?: string | undefined;
  readonly #lease: StdioLease;
  readonly #unsubscribes: (() => void)[] = [];
  #started = false;
  #closed = false;

  constructor(lease: StdioLease) {
    this.#lease = lease;
  }

  /** Subscribes to the process's output; called by `Client.connect()`. */
  async start(): Promise<void> {
    if (this.#started) throw new Error("StdioLeaseTransport already started");
    if (this.#lease.released) throw new Error("StdioLeaseTransport: the lease is already released");
    this.#started = true;
    const child = this.#lease.child;
    this.#unsubscribes.push(
      child.onMessage((message) => this.onmessage?.(message as JSONRPCMessage)),
      child.onInvalidLine((error, line) =>
        this.onerror?.(
          new Error(`stdio server "${this.#lease.serverId}" wrote an invalid line (${error}): ${line}`),
        ),
      ),
      child.onExit(() => this.#finish()),
    );
  }

  /** Writes one message to the process; rejects when it no longer runs. */
  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.#closed || !this.#lease.child.send(message)) {
      throw new Error(`stdio server "${this.#lease.serverId}" is not running`);
    }
  }

  /** Releases the lease and reports `onclose`; idempotent. */
  async close(): Promise<void> {
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.#unsubscribes.length = 0;
    this.#lease.release();
    this.onclose?.();
  }
}
