import type { Settings } from "../config/settings.js";
import type { Logger } from "../observability/logger.js";
import { MdnsFederation } from "./mdns.js";
import { SERVED_PROTOCOL_VERSIONS } from "./mdns-peer.js";
import type { PeerRegistrar } from "./mdns-registrar.js";

/** What {@link mdnsFederationFor} needs. */
export interface MdnsFederationForOptions {
  readonly settings: Pick<
    Settings,
    | "HOST"
    | "APP_NAME"
    | "FEDERATION_PUBLIC_URL"
    | "MDNS_ENABLED"
    | "MDNS_DISCOVERY_ENABLED"
    | "MDNS_AUTO_APPROVE"
    | "MDNS_SERVICE_NAME"
  >;
  /** The gateway's federation id (loaded: the TXT record carries it). */
  readonly federationId: string;
  /** The port the gateway is listening on. */
  readonly port: number;
  readonly registrar: PeerRegistrar;
  /** Whether this replica registers the peers it finds (the elected leader). */
  readonly mayRegister?: () => boolean;
  readonly logger: Logger;
}

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]"]);

/**
 * The mDNS advertiser and browser the settings ask for, not yet started; undefined when both
 * MDNS_ENABLED and MDNS_DISCOVERY_ENABLED are off. The advertised URL is FEDERATION_PUBLIC_URL's
 * `/mcp`, else `http://HOST:<port>/mcp`; a wildcard HOST advertises no URL (peers use the address
 * the answer came from, the SRV port and the TXT `path`).
 */
export function mdnsFederationFor(options: MdnsFederationForOptions): MdnsFederation | undefined {
  const { settings, federationId, port } = options;
  if (!settings.MDNS_ENABLED && !settings.MDNS_DISCOVERY_ENABLED) return undefined;
  const host =
    settings.HOST.includes(":") && !settings.HOST.startsWith("[") ? `[${settings.HOST}]` : settings.HOST;
  const url = settings.FEDERATION_PUBLIC_URL
    ? `${settings.FEDERATION_PUBLIC_URL}/mcp`
    : WILDCARD_HOSTS.has(host)
      ? undefined
      : `http://${host}:${port}/mcp`;
  return new MdnsFederation({
    advertise: settings.MDNS_ENABLED,
    discover: settings.MDNS_DISCOVERY_ENABLED,
    autoApprove: settings.MDNS_AUTO_APPROVE,
    serviceName:
      settings.MDNS_SERVICE_NAME || `${settings.APP_NAME} ${federationId.slice(0, 8)}`.slice(0, 63),
    port,
    advertisement: { url, path: "/mcp", federationId, protocolVersions: SERVED_PROTOCOL_VERSIONS },
    registrar: options.registrar,
    ...(options.mayRegister ? { mayRegister: options.mayRegister } : {}),
    logger: options.logger,
  });
}
