import { timingSafeEqual } from "node:crypto";
import type { Settings } from "../config/settings.js";
import { GatewayError } from "../errors/gateway-error.js";
import type { JwtService } from "./jwt-service.js";
import type { Principal } from "./principal.js";

/** Turns a request's credentials into a principal. */
export type Authenticator = (authorization: string | undefined) => Promise<Principal>;

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Bearer JWTs always; HTTP basic with BASIC_AUTH_USER/PASSWORD when API_ALLOW_BASIC_AUTH; an
 * anonymous principal when AUTH_REQUIRED is off. Anything else is a 401.
 */
export function createAuthenticator(
  settings: Pick<
    Settings,
    "AUTH_REQUIRED" | "API_ALLOW_BASIC_AUTH" | "BASIC_AUTH_USER" | "BASIC_AUTH_PASSWORD"
  >,
  jwt: JwtService,
): Authenticator {
  return async (authorization) => {
    const [scheme, credentials] = (authorization ?? "").trim().split(/\s+/, 2);
    if (scheme && credentials && scheme.toLowerCase() === "bearer") return jwt.verify(credentials);
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
        return { subject: user, via: "basic" };
      }
      throw new GatewayError("unauthorized", "invalid credentials");
    }
    if (!settings.AUTH_REQUIRED) return { subject: "anonymous", via: "anonymous" };
    throw new GatewayError("unauthorized", "Not authenticated");
  };
}
