import { randomUUID } from "node:crypto";
import { parseTunnelFrame, type TunnelFrame } from "@contextforge/mcp-transport";
import { type JSONRPCMessage, parseJSONRPCMessage, type Transport } from "@modelcontextprotocol/client";
import { BUS_TOPICS, type Bus } from "../../cache/bus.js";
import type { Cache } from "../../cache/cache.js";
import type { Logger } from "../../observability/logger.js";
import { MacrotaskInbox } from "./macrotask-inbox.js";
import type { RemoteTunnels, ReverseTunnels } from "./reverse-tunnels.js";

/** Seconds a replica's claim on a tunnel lives unless renewed (every third of it). */
const HOLDER_TTL_SECONDS = 30;

/**
 * On the bus, for replica `to`: with `url`, a session's frame for the tunnel of `url` it holds
 * (`open`, `message`, `close`); without, the proxy's frame for a session `to` opened (`message`,
 * `closed`).
 */
interface RelayedFrame {
  readonly from: string;
  readonly to: string;
  readonly url?: string;
  readonly frame: TunnelFrame;
}

function relayedFrameOf(payload: unknown): RelayedFrame | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const { from, url, to, frame } = payload as Record<string, unknown>;
  if (typeof from !== "string" || typeof to !== "string") return undefined;
  const parsed = parseTunnelFrame(JSON.stringify(frame));
  if (!parsed) return undefined;
  return {
    from,
    to,
    ...(typeof url === "string" ? { url } : {}),
    frame: parsed,
  };
}

/** Options of {@link TunnelRelay}. */
export interface TunnelRelayOptions {
  readonly bus: Bus;
  /** Where each tunnel's holder is noted (`reverse-tunnel:<url>` = replica id), shared by the replicas. */
  readonly cache: Cache;
  readonly tunnels: ReverseTunnels;
  readonly logger: Logger;
}

/**
 * Reverse proxy tunnels for every replica: a proxy connects to one replica, whose claim on the
 * tunnel is kept in the shared cache, and an upstream session another replica opens through it
 * (a call, discovery, a health check) sends its frames over the bus (topic `tunnel`) to that
 * replica, which passes them to the proxy and sends the proxy's frames back the same way.
 */
export class TunnelRelay implements RemoteTunnels {
  readonly #options: TunnelRelayOptions;
  readonly #replica: string;
  /** Sessions this replica opened through another replica's tunnel, by session id. */
  readonly #sessions = new Map<string, RemoteTunnelTransport>();
  readonly #renewal: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  constructor(options: TunnelRelayOptions) {
    this.#options = options;
    this.#replica = options.bus.instanceId;
    this.#unsubscribe = options.bus.subscribe(BUS_TOPICS.tunnel, (payload) => this.#receive(payload));
    this.#renewal = setInterval(
      () => {
        for (const url of options.tunnels.urls()) this.attached(url);
      },
      (HOLDER_TTL_SECONDS * 1000) / 3,
    );
    this.#renewal.unref();
    options.tunnels.useRemote(this);
  }

  async holderOf(url: string): Promise<string | undefined> {
    const holder = await this.#options.cache.get(this.#key(url)).catch(() => undefined);
    // A claim of this replica's own is stale: the tunnel is not here (or it would have been used).
    return holder === this.#replica ? undefined : holder;
  }

  openSession(url: string, holder: string): Transport {
    const transport = new RemoteTunnelTransport(
      randomUUID(),
      (frame) => this.#publish({ url, to: holder, frame }),
      () => this.#sessions.delete(transport.tunnelSessionId),
    );
    this.#sessions.set(transport.tunnelSessionId, transport);
    return transport;
  }

  attached(url: string): void {
    this.#options.cache.set(this.#key(url), this.#replica, HOLDER_TTL_SECONDS).catch((error: unknown) => {
      this.#options.logger.warn({ err: error, url }, "could not note this replica as a tunnel's holder");
    });
  }

  detached(url: string): void {
    const key = this.#key(url);
    // Only its own claim: the proxy may have connected to another replica meanwhile.
    void this.#options.cache
      .get(key)
      .then((holder) => (holder === this.#replica ? this.#options.cache.delete(key) : undefined))
      .catch(() => {});
  }

  /** Stops relaying; sessions through other replicas end. */
  close(): void {
    clearInterval(this.#renewal);
    this.#unsubscribe();
    for (const session of [...this.#sessions.values()]) session.ended();
    for (const url of this.#options.tunnels.urls()) this.detached(url);
  }

  #key(url: string): string {
    return `reverse-tunnel:${url}`;
  }

  #publish(payload: Omit<RelayedFrame, "from">): Promise<void> {
    return this.#options.bus.publish(BUS_TOPICS.tunnel, { ...payload, from: this.#replica });
  }

  #receive(payload: unknown): void {
    const relayed = relayedFrameOf(payload);
    if (!relayed || relayed.to !== this.#replica) return;
    const { frame, from, url } = relayed;
    // The proxy's frame for a session opened here, through the replica holding its tunnel.
    if (url === undefined) {
      if ("session" in frame) this.#sessions.get(frame.session)?.receive(frame);
      return;
    }
    // A frame for the proxy whose tunnel this replica holds.
    if (frame.type !== "open" && frame.type !== "message" && frame.type !== "close") return;
    const tunnel = this.#options.tunnels.get(url);
    const back = (reply: TunnelFrame): void => {
      this.#publish({ to: from, frame: reply }).catch((error: unknown) => {
        this.#options.logger.warn({ err: error }, "could not relay a tunnel frame to another replica");
      });
    };
    const handled =
      tunnel !== undefined &&
      (frame.type === "open" ? tunnel.openRelayed(frame.session, back) : tunnel.relay(frame));
    if (!handled && frame.type !== "close") back({ type: "closed", session: frame.session });
  }
}

/** An SDK client transport for a session through a tunnel another replica holds. */
class RemoteTunnelTransport implements Transport {
  /** Not `sessionId`: the SDK client would skip the `initialize` handshake (as for a reconnection). */
  readonly tunnelSessionId: string;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  readonly #send: (frame: TunnelFrame) => Promise<void>;
  readonly #forget: () => void;
  /** One message per macrotask, the end after them: the bus hands over a burst in one tick. */
  readonly #inbox = new MacrotaskInbox<JSONRPCMessage>(
    (message) => this.onmessage?.(message),
    () => this.onclose?.(),
  );
  #closed = false;

  constructor(session: string, send: (frame: TunnelFrame) => Promise<void>, forget: () => void) {
    this.tunnelSessionId = session;
    this.#send = send;
    this.#forget = forget;
  }

  async start(): Promise<void> {
    if (this.#closed) throw new Error("the reverse proxy tunnel is closed");
    await this.#send({ type: "open", session: this.tunnelSessionId });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) throw new Error("the reverse proxy tunnel is closed");
    await this.#send({ type: "message", session: this.tunnelSessionId, message });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#send({ type: "close", session: this.tunnelSessionId }).catch(() => {});
    this.ended();
  }

  /** A frame of this session from the proxy. */
  receive(frame: TunnelFrame): void {
    if (this.#closed) return;
    if (frame.type === "closed") {
      this.ended();
      return;
    }
    if (frame.type !== "message") return;
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(frame.message);
    } catch (error) {
      this.onerror?.(new Error("the reverse proxy sent an invalid JSON-RPC message", { cause: error }));
      return;
    }
    this.#inbox.push(message);
  }

  /** The session ended (closed here, by the proxy, or with its tunnel). */
  ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#forget();
    if (this.#inbox.busy) this.#inbox.end();
    else this.onclose?.();
  }
}
