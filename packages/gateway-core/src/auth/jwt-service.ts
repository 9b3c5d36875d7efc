import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  type CryptoKey,
  errors,
  importPKCS8,
  importSPKI,
  type JWTPayload,
  jwtVerify,
  type KeyObject,
  SignJWT,
} from "jose";
import type { Settings } from "../config/settings.js";
import { GatewayError } from "../errors/gateway-error.js";

type Key = CryptoKey | KeyObject | Uint8Array;

/** Options of {@link JwtService.mint}. */
export interface MintOptions {
  /** Lifetime; default TOKEN_EXPIRY; 0 = no expiry (refused when REQUIRE_TOKEN_EXPIRATION). */
  readonly expiresInMinutes?: number | undefined;
  /** Extra claims (`token_use`, ...). */
  readonly claims?: Record<string, unknown> | undefined;
  /** The token id; default a random UUID. */
  readonly jti?: string | undefined;
}

/** What a verified token says. */
export interface VerifiedToken {
  /** `sub` (or ContextForge's `username`/`email` claims). */
  readonly subject: string;
  readonly jti: string | undefined;
  /** `session` (login), `api` (API token), or undefined (minted by `mcpgateway token`). */
  readonly tokenUse: string | undefined;
  /** Expiry in seconds since the epoch, when it has one. */
  readonly expiresAt: number | undefined;
}

/** Mints and verifies the gateway's JWTs. */
export interface JwtService {
  /** Signs a token for `subject`. */
  mint(subject: string, options?: MintOptions): Promise<string>;
  /** Verifies signature, audience, issuer, expiry and jti; 401 with the reason otherwise. */
  verify(token: string): Promise<VerifiedToken>;
}

/** How many verified tokens {@link createJwtService} remembers (least recently used dropped). */
const VERIFIED_CACHE_SIZE = 1024;

type JwtSettings = Pick<
  Settings,
  | "JWT_SECRET_KEY"
  | "JWT_ALGORITHM"
  | "JWT_PUBLIC_KEY_PATH"
  | "JWT_PRIVATE_KEY_PATH"
  | "JWT_AUDIENCE"
  | "JWT_ISSUER"
  | "TOKEN_EXPIRY"
  | "REQUIRE_TOKEN_EXPIRATION"
  | "REQUIRE_JTI"
>;

async function loadKeys(settings: JwtSettings): Promise<{ signing: Key; verifying: Key }> {
  const algorithm = settings.JWT_ALGORITHM;
  if (algorithm.startsWith("HS")) {
    if (!settings.JWT_SECRET_KEY) throw new Error(`JWT_SECRET_KEY is required for ${algorithm}`);
    const secret = new TextEncoder().encode(settings.JWT_SECRET_KEY);
    return { signing: secret, verifying: secret };
  }
  if (!settings.JWT_PUBLIC_KEY_PATH) throw new Error(`JWT_PUBLIC_KEY_PATH is required for ${algorithm}`);
  const verifying = await importSPKI(readFileSync(settings.JWT_PUBLIC_KEY_PATH, "utf8"), algorithm);
  // A verify-only deployment (tokens minted elsewhere) has no private key.
  const signing = settings.JWT_PRIVATE_KEY_PATH
    ? await importPKCS8(readFileSync(settings.JWT_PRIVATE_KEY_PATH, "utf8"), algorithm)
    : verifying;
  return { signing, verifying };
}

/**
 * Creates the JWT service (jose). Keys are read once, here: a missing secret or unreadable key
 * file fails at start, not on the first request.
 */
export async function createJwtService(settings: JwtSettings): Promise<JwtService> {
  const { signing, verifying } = await loadKeys(settings);
  const algorithm = settings.JWT_ALGORITHM;
  // Tokens whose signature and claims were verified, by token string, until they expire: a
  // client sends the same token on every request, and a signature check costs more than the rest
  // of authentication. Only what the token itself proves is cached; revocation, API-token records
  // and the user are looked up in the directory snapshot on every request (authenticate.ts).
  const verified = new Map<string, VerifiedToken>();
  return {
    async mint(subject, options = {}) {
      const minutes = options.expiresInMinutes ?? settings.TOKEN_EXPIRY;
      if (minutes <= 0 && settings.REQUIRE_TOKEN_EXPIRATION) {
        throw new GatewayError("bad_request", "tokens must expire (REQUIRE_TOKEN_EXPIRATION is on)");
      }
      const jwt = new SignJWT({ ...options.claims })
        .setProtectedHeader({ alg: algorithm, typ: "JWT" })
        .setSubject(subject)
        .setIssuer(settings.JWT_ISSUER)
        .setAudience(settings.JWT_AUDIENCE)
        .setIssuedAt()
        .setJti(options.jti ?? randomUUID());
      if (minutes > 0) jwt.setExpirationTime(`${Math.round(minutes * 60)}s`);
      return jwt.sign(signing);
    },

    async verify(token) {
      const cached = verified.get(token);
      if (cached !== undefined) {
        if (cached.expiresAt === undefined || cached.expiresAt > Date.now() / 1000) {
          // Refresh its place: the least recently used token is the one dropped.
          verified.delete(token);
          verified.set(token, cached);
          return cached;
        }
        verified.delete(token);
      }
      const result = await verifyUncached(token);
      if (verified.size >= VERIFIED_CACHE_SIZE) {
        const oldest = verified.keys().next().value;
        if (oldest !== undefined) verified.delete(oldest);
      }
      verified.set(token, result);
      return result;
    },
  };

  async function verifyUncached(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, verifying, {
        algorithms: [algorithm],
        audience: settings.JWT_AUDIENCE,
        issuer: settings.JWT_ISSUER,
        ...(settings.REQUIRE_TOKEN_EXPIRATION ? { requiredClaims: ["exp"] } : {}),
      }));
    } catch (error) {
      const reason =
        error instanceof errors.JWTExpired
          ? "token has expired"
          : error instanceof errors.JWTClaimValidationFailed
            ? `token claim "${error.claim}" is invalid`
            : "invalid token";
      throw new GatewayError("unauthorized", reason, { cause: error });
    }
    if (settings.REQUIRE_JTI && typeof payload.jti !== "string") {
      throw new GatewayError("unauthorized", 'token has no "jti" claim');
    }
    const subject =
      payload.sub ??
      (typeof payload.username === "string" ? payload.username : undefined) ??
      (typeof payload.email === "string" ? payload.email : undefined);
    if (!subject) throw new GatewayError("unauthorized", 'token has no "sub" claim');
    return {
      subject,
      jti: payload.jti,
      tokenUse: typeof payload.token_use === "string" ? payload.token_use : undefined,
      expiresAt: payload.exp,
    };
  }
}
