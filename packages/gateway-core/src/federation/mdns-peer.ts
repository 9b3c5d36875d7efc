import { isIP } from "node:net";

/** DNS-SD service type the gateway advertises and browses: `_mcp._tcp`. */
export const MDNS_SERVICE_TYPE = "mcp";

/** The MCP protocol versions the gateway serves (advertised in the TXT record `versions`). */
export const SERVED_PROTOCOL_VERSIONS: readonly string[] = [
  "2024-11-05",
  "2025-03-26",
  "2025-06-18",
  "2025-11-25",
  "2026-07-28",
];

/** What a gateway puts in its `_mcp._tcp` TXT record. */
export interface MdnsAdvertisement {
  /** The MCP endpoint's URL, when known (FEDERATION_PUBLIC_URL, or a HOST that is not a wildcard). */
  readonly url: string | undefined;
  /** Path of the MCP endpoint, for peers that build the URL from the advertised address. */
  readonly path: string;
  readonly federationId: string;
  readonly protocolVersions: readonly string[];
}

/** The TXT record of an advertisement (each value well under DNS-SD's 255-byte limit). */
export function txtRecordOf(ad: MdnsAdvertisement): Record<string, string> {
  return {
    txtvers: "1",
    app: "contextforge",
    id: ad.federationId,
    path: ad.path,
    versions: ad.protocolVersions.join(","),
    ...(ad.url === undefined ? {} : { url: ad.url }),
  };
}

/** A `_mcp._tcp` service as the browser reported it (the fields of bonjour-service's `Service` used here). */
export interface MdnsServiceRecord {
  readonly name: string;
  readonly host?: string | undefined;
  readonly port: number;
  readonly addresses?: readonly string[] | undefined;
  /** Where the answer came from. */
  readonly referer?: { readonly address: string } | undefined;
  readonly txt?: unknown;
}

/** An MCP server found on the local network. */
export interface MdnsPeer {
  /** The DNS-SD instance name. */
  readonly name: string;
  /** Its MCP endpoint. */
  readonly url: string;
  /** Its federation id, when it is a ContextForge gateway. */
  readonly federationId: string | undefined;
  readonly protocolVersions: readonly string[];
}

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]"]);

/**
 * The peer a service record describes, or undefined when it cannot be reached over HTTP (no port,
 * no usable address). The TXT `url` wins unless its host is a wildcard; otherwise the URL is built
 * from the address the answer came from (else the first advertised one), the SRV port and the TXT
 * `path` (default `/mcp`).
 */
export function peerOf(record: MdnsServiceRecord): MdnsPeer | undefined {
  const txt = textFields(record.txt);
  const federationId = txt.id || undefined;
  const protocolVersions = txt.versions ? txt.versions.split(",").filter((v) => v.length > 0) : [];
  const advertised = httpUrl(txt.url);
  if (advertised && !WILDCARD_HOSTS.has(advertised.hostname)) {
    return { name: record.name, url: advertised.href, federationId, protocolVersions };
  }
  if (!(Number.isInteger(record.port) && record.port > 0 && record.port < 65536)) return undefined;
  const address = reachableAddress(record);
  if (address === undefined) return undefined;
  const host = isIP(address) === 6 ? `[${address}]` : address;
  const path = txt.path?.startsWith("/") ? txt.path : "/mcp";
  const url = httpUrl(`http://${host}:${record.port}${path}`);
  return url ? { name: record.name, url: url.href, federationId, protocolVersions } : undefined;
}

/**
 * The address to dial: the one the answer came from, else an advertised IPv4 one, else an IPv6 one
 * that is not link-local (those need a zone the URL cannot carry).
 */
function reachableAddress(record: MdnsServiceRecord): string | undefined {
  const usable = (address: string | undefined): address is string =>
    address !== undefined && isIP(address) !== 0 && !/^fe80:/i.test(address);
  const addresses = record.addresses ?? [];
  return [record.referer?.address, ...addresses.filter((a) => isIP(a) === 4), ...addresses].find(usable);
}

/** TXT values as strings (bonjour-service decodes them to strings, or buffers for binary ones). */
function textFields(txt: unknown): Record<string, string | undefined> {
  if (txt === null || typeof txt !== "object") return {};
  return Object.fromEntries(
    Object.entries(txt as Record<string, unknown>).map(([key, value]) => [
      key.toLowerCase(),
      typeof value === "string" ? value : Buffer.isBuffer(value) ? value.toString("utf8") : undefined,
    ]),
  );
}

function httpUrl(text: string | undefined): URL | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}
