import { createRequire } from "node:module";
import type { Bonjour } from "bonjour-service";
import type { Logger } from "../observability/logger.js";
import {
  MDNS_SERVICE_TYPE,
  type MdnsAdvertisement,
  type MdnsServiceRecord,
  peerOf,
  txtRecordOf,
} from "./mdns-peer.js";
import type { PeerRegistrar } from "./mdns-registrar.js";

/** Options of {@link MdnsFederation}. */
export interface MdnsFederationOptions {
  /** Advertise this gateway as `_mcp._tcp` (MDNS_ENABLED). */
  readonly advertise: boolean;
  /** Browse `_mcp._tcp` and register the peers found (MDNS_DISCOVERY_ENABLED). */
  readonly discover: boolean;
  /** Register found peers enabled and discovered rather than pending approval (MDNS_AUTO_APPROVE). */
  readonly autoApprove: boolean;
  /** The DNS-SD instance name (MDNS_SERVICE_NAME). */
  readonly serviceName: string;
  /** The TCP port the gateway listens on (the SRV record). */
  readonly port: number;
  /** What the TXT record says; its federation id is also how the gateway recognises itself. */
  readonly advertisement: MdnsAdvertisement;
  readonly registrar: PeerRegistrar;
  readonly logger: Logger;
  /** Seconds between browse queries (peers also announce themselves when they start). Default 60. */
  readonly requeryIntervalSeconds?: number;
  /**
   * Whether this replica registers what it finds (the elected leader; default: always). Peers
   * found meanwhile are kept and registered at a browse query after this replica becomes leader,
   * so several replicas never race to register one peer.
   */
  readonly mayRegister?: () => boolean;
}

/** How long stopping waits for the goodbye packets to go out. */
const GOODBYE_GRACE_MS = 1_000;

/**
 * DNS-SD over multicast DNS (bonjour-service): advertises the gateway as `_mcp._tcp` with its MCP
 * URL, served protocol versions and federation id in the TXT record, and, when discovering,
 * registers each peer found on the local network (never itself, never one registered already) as a
 * gateway: pending approval (disabled, not contacted) unless auto-approve is on. Owns its sockets,
 * timer and pending registrations: {@link close} ends them all.
 */
export class MdnsFederation {
  readonly #options: MdnsFederationOptions;
  readonly #handled = new Set<string>();
  readonly #pending = new Set<Promise<void>>();
  /** Peers found while this replica could not register them, by key. */
  readonly #deferred = new Map<string, MdnsServiceRecord>();
  #bonjour: Bonjour | undefined;
  #browser: ReturnType<Bonjour["find"]> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: MdnsFederationOptions) {
    if (!(Number.isInteger(options.port) && options.port > 0 && options.port < 65536))
      throw new RangeError("port must be a TCP port");
    this.#options = options;
  }

  /** Publishes the advertisement and starts browsing, as configured. */
  start(): void {
    if (this.#bonjour || this.#closed) return;
    const { logger } = this.#options;
    // bonjour-service throws socket errors unless given a callback: a multicast problem must not
    // bring the gateway down.
    // Loaded when mDNS starts: a gateway with mDNS off never pays for bonjour-service.
    const { Bonjour: BonjourService } = createRequire(import.meta.url)(
      "bonjour-service",
    ) as typeof import("bonjour-service");
    const bonjour = new BonjourService({}, (error: Error) => logger.warn({ err: error }, "mDNS error"));
    this.#bonjour = bonjour;
    if (this.#options.advertise) {
      const service = bonjour.publish({
        name: this.#options.serviceName,
        type: MDNS_SERVICE_TYPE,
        protocol: "tcp",
        port: this.#options.port,
        txt: txtRecordOf(this.#options.advertisement),
      });
      service.on("error", (error: Error) =>
        logger.warn({ err: error, name: this.#options.serviceName }, "mDNS advertisement failed"),
      );
      logger.info({ name: this.#options.serviceName, port: this.#options.port }, "advertising _mcp._tcp");
    }
    if (this.#options.discover) {
      this.#browser = bonjour.find({ type: MDNS_SERVICE_TYPE, protocol: "tcp" }, (service) =>
        this.#track(this.handleService(service)),
      );
      this.#timer = setInterval(
        () => {
          this.#browser?.update();
          this.retryDeferred();
        },
        (this.#options.requeryIntervalSeconds ?? 60) * 1000,
      );
      this.#timer.unref();
    }
  }

  /**
   * Registers the peer a browsed service describes, unless it is this gateway, was handled
   * already in this process, or is registered already. Never throws: failures are logged.
   */
  async handleService(record: MdnsServiceRecord): Promise<void> {
    const { logger, registrar, advertisement } = this.#options;
    const peer = peerOf(record);
    if (!peer || peer.federationId === advertisement.federationId) return;
    const key = peer.federationId ?? peer.url;
    if (this.#handled.has(key) || this.#closed) return;
    if (this.#options.mayRegister && !this.#options.mayRegister()) {
      this.#deferred.set(key, record);
      return;
    }
    this.#deferred.delete(key);
    this.#handled.add(key);
    try {
      if (await registrar.isKnown(peer)) return;
      const gateway = await registrar.register(peer, this.#options.autoApprove);
      logger.info(
        { gatewayId: gateway.id, name: gateway.name, url: peer.url, enabled: gateway.enabled },
        gateway.enabled
          ? "registered a peer found by mDNS"
          : "registered a peer found by mDNS, pending approval",
      );
    } catch (error) {
      // Let a later announcement try again.
      this.#handled.delete(key);
      logger.warn({ err: error, url: peer.url }, "could not register a peer found by mDNS");
    }
  }

  /** Handles the peers found while this replica could not register them (now it may, perhaps). */
  retryDeferred(): void {
    for (const record of [...this.#deferred.values()]) this.#track(this.handleService(record));
  }

  /** Stops browsing, sends goodbyes for the advertisement, closes the sockets, awaits registrations. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#browser?.stop();
    const bonjour = this.#bonjour;
    this.#bonjour = undefined;
    if (bonjour) {
      await withinGrace((done) => bonjour.unpublishAll(done), GOODBYE_GRACE_MS);
      await withinGrace((done) => bonjour.destroy(done), GOODBYE_GRACE_MS);
    }
    await Promise.allSettled([...this.#pending]);
  }

  #track(work: Promise<void>): void {
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
  }
}

/** Runs a callback-style operation, waiting for its callback at most `ms`. */
function withinGrace(run: (done: () => void) => void, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      run(done);
    } catch {
      done();
    }
  });
}
