import { timingSafeEqual } from "node:crypto";
import type { Settings } from "../config/settings.js";
import { GatewayError } from "../errors/gateway-error.js";
import type { AuthDirectory } from "./auth-directory.js";
import { ipAllowed } from "./ip-restrictions.js";
import type { JwtService } from "./jwt-service.js";
import { type AuthMethod, type Principal, superPrincipal } from "./principal.js";
import { resolvePrincipal } from "./resolve-principal.js";

/** What a request brings besides its Authorization header. */
export interface AuthRequestContext {
  /** The client's address (for API tokens restricted to CIDRs). */
  readonly ip?: string | undefined;
  /** The PROXY_USER_HEADER value, read only when TRUST_PROXY_AUTH is on. */
  readonly proxyUser?: string | undefined;
}

/** Turns a request's credentials into a principal. */
export type Authenticator = (
  authorization: string | undefined,
  context?: AuthRequestContext,
) => Promise<Principal>;

type AuthSettings = Pick<
  Settings,
  | "AUTH_REQUIRED"
  | "API_ALLOW_BASIC_AUTH"
  | "BASIC_AUTH_USER"
  | "BASIC_AUTH_PASSWORD"
  | "REQUIRE_USER_IN_DB"
  | "TRUST_PROXY_AUTH"
>;

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

const unauthorized = (message: string): GatewayError => new GatewayError("unauthorized", message);

/**
 * Bearer JWTs always (login sessions, API tokens, tokens minted with the signing key); HTTP basic
 * with BASIC_AUTH_USER/PASSWORD when API_ALLOW_BASIC_AUTH; the proxy's user header when
 * TRUST_PROXY_AUTH; an anonymous administrator when AUTH_REQUIRED is off. Anything else is a 401.
 * Users, teams, grants, API tokens and revocations come from the in-memory directory: no query
 * in the steady state.
 */
export function createAuthenticator(
  settings: AuthSettings,
  jwt: JwtService,
  directory: AuthDirectory,
): Authenticator {
  return async (authorization, context = {}) => {
    if (settings.TRUST_PROXY_AUTH && context.proxyUser) {
      const snapshot = await directory.current();
      return resolvePrincipal(snapshot, context.proxyUser.trim().toLowerCase(), "proxy", {
        requireStoredUser: settings.REQUIRE_USER_IN_DB,
      });
    }
    const [scheme, credentials] = (authorization ?? "").trim().split(/\s+/, 2);
    if (scheme && credentials && scheme.toLowerCase() === "bearer") {
      return bearer(credentials, context, settings, jwt, directory);
    }
    if (scheme && credentials && scheme.toLowerCase() === "basic" && settings.API_ALLOW_BASIC_AUTH) {
      const decoded = Buffer.from(credentials, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      const user = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      if (
        colon > 0 &&
        sameSecret(user, settings.BASIC_AUTH_USER) &&
        sameSecret(password, settings.BASIC_AUTH_PASSWORD)
      ) {
        return superPrincipal(user, "basic");
      }
      throw unauthorized("invalid credentials");
    }
    if (!settings.AUTH_REQUIRED) return superPrincipal("anonymous", "anonymous");
    throw unauthorized("Not authenticated");
  };
}

async function bearer(
  token: string,
  context: AuthRequestContext,
  settings: AuthSettings,
  jwt: JwtService,
  directory: AuthDirectory,
): Promise<Principal> {
  const verified = await jwt.verify(token);
  const snapshot = await directory.current();
  if (verified.jti !== undefined && snapshot.revoked.has(verified.jti)) {
    throw unauthorized("token has been revoked");
  }
  const subject = verified.subject.toLowerCase();
  if (verified.tokenUse === "api") {
    const record = verified.jti === undefined ? undefined : snapshot.apiTokens.get(verified.jti);
    if (!record || record.userEmail !== subject)
      throw unauthorized("token has been revoked or does not exist");
    if (record.expiresAt !== undefined && record.expiresAt <= new Date().toISOString()) {
      throw unauthorized("token has expired");
    }
    if (record.ipRestrictions.length > 0 && !ipAllowed(context.ip, record.ipRestrictions)) {
      throw new GatewayError("forbidden", "this token may not be used from this address");
    }
    return resolvePrincipal(snapshot, subject, "api_token", {
      requireStoredUser: true,
      tokenId: verified.jti,
      token: {
        tokenRecordId: record.id,
        serverId: record.serverId,
        permissions: record.permissions,
        publicOnly: record.publicOnly,
        teamId: record.teamId,
      },
    });
  }
  const via: AuthMethod = "jwt";
  const session = verified.tokenUse === "session";
  return resolvePrincipal(snapshot, subject, via, {
    // A login session ends with its user; a token minted with the key may name anyone.
    requireStoredUser: session || settings.REQUIRE_USER_IN_DB,
    tokenId: verified.jti,
    enforcePasswordChange: session,
  });
}
