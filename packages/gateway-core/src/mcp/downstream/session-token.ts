import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { isJsonObject } from "./json-object.js";

const PREFIX = "s1.";
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Capabilities beyond this many bytes of JSON are cut to their top-level keys (ids go in headers). */
const MAX_CAPABILITIES_JSON = 1_024;

/** What a replica needs to rebuild a 2025 session it has never seen. */
export interface SessionClaims {
  /** The principal (subject) that opened it. */
  readonly owner: string;
  /** The endpoint it was opened on: a virtual server id, "" for `/mcp`. */
  readonly scope: string;
  /** The protocol version negotiated at `initialize`. */
  readonly protocolVersion: string;
  /** The client's `initialize` capabilities. */
  readonly capabilities: Record<string, unknown>;
  /** The client's `initialize` clientInfo (name, version, title). */
  readonly clientInfo: Record<string, unknown>;
  /** When the session was opened, in epoch milliseconds. */
  readonly issuedAt: number;
}

/** Mints and reads `Mcp-Session-Id` values that carry their session's {@link SessionClaims}. */
export interface SessionTokens {
  /** A new session id: `s1.` + base64url(iv, AES-256-GCM ciphertext, tag); visible ASCII only. */
  seal(claims: SessionClaims): string;
  /** The claims of an id sealed with the current or a previous key; undefined if forged or tampered. */
  open(id: string): SessionClaims | undefined;
}

/** Derives the session-id key from a secret (its own HKDF label: independent of the other keys). */
export function sessionTokenKey(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", secret, "contextforge", "mcp-session-v1", 32));
}

/** The first key seals; every key (the current first, then previous ones during a rotation) opens. */
export function createSessionTokens(keys: readonly Uint8Array[]): SessionTokens {
  if (keys.length === 0) throw new Error("session tokens: at least one key is required");
  const [current] = keys as [Uint8Array, ...Uint8Array[]];
  return {
    seal(claims) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      const plaintext = JSON.stringify([
        claims.owner,
        claims.scope,
        claims.protocolVersion,
        compactCapabilities(claims.capabilities),
        claims.clientInfo,
        claims.issuedAt,
        // The IV is random already; the nonce keeps two sessions' plaintexts distinct as well.
        randomBytes(6).toString("base64url"),
      ]);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${Buffer.concat([iv, body]).toString("base64url")}`;
    },
    open(id) {
      if (!id.startsWith(PREFIX)) return undefined;
      const raw = Buffer.from(id.slice(PREFIX.length), "base64url");
      if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
      for (const key of keys) {
        const text = decrypt(key, raw);
        if (text !== undefined) return claimsOf(text);
      }
      return undefined;
    },
  };
}

function decrypt(key: Uint8Array, raw: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    return undefined;
  }
}

function claimsOf(text: string): SessionClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const [owner, scope, protocolVersion, capabilities, clientInfo, issuedAt] = value as unknown[];
  if (
    typeof owner !== "string" ||
    typeof scope !== "string" ||
    typeof protocolVersion !== "string" ||
    !isJsonObject(capabilities) ||
    !isJsonObject(clientInfo) ||
    typeof issuedAt !== "number"
  )
    return undefined;
  return { owner, scope, protocolVersion, capabilities, clientInfo, issuedAt };
}

/**
 * A client's capabilities as the id carries them: whole when small; otherwise (a client that
 * declares large experimental blobs) only which capabilities it has, so the id stays a header.
 */
function compactCapabilities(capabilities: Record<string, unknown>): Record<string, unknown> {
  if (JSON.stringify(capabilities).length <= MAX_CAPABILITIES_JSON) return capabilities;
  return Object.fromEntries(
    Object.keys(capabilities)
      .filter((key) => key !== "experimental")
      .map((key) => [key, {}]),
  );
}
