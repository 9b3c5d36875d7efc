import type { Kysely } from "kysely";
import type { Settings } from "../../config/settings.js";
import type { DatabaseSchema } from "../../db/database-schema.js";
import { nowIso } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import type { JwtService } from "../jwt-service.js";
import { revokeTokenId } from "./token-revocation-repository.js";
import type { UserRead } from "./user-schema.js";
import type { UserService } from "./user-service.js";

/** A login's answer (ContextForge's `AuthenticationResponse`). */
export interface LoginResult {
  readonly access_token: string;
  readonly token_type: "bearer";
  /** Seconds the token is valid. */
  readonly expires_in: number;
  readonly user: UserRead;
}

/** Login sessions: email and password in, a session JWT out; logout revokes it. */
export interface SessionService {
  /** 403 when email login is disabled; 401 (or 403 for a locked account) on bad credentials. */
  login(email: string, password: string): Promise<LoginResult>;
  /** Revokes the token (its `jti`) until it would have expired; returns the jti. */
  logout(token: string): Promise<{ readonly jti: string }>;
}

/** Collaborators of the session service. */
export interface SessionServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly users: UserService;
  readonly jwt: JwtService;
  readonly settings: Pick<Settings, "EMAIL_AUTH_ENABLED" | "TOKEN_EXPIRY">;
  readonly changed: () => void;
}

/** Creates the session service. */
export function createSessionService({
  db,
  users,
  jwt,
  settings,
  changed,
}: SessionServiceOptions): SessionService {
  return {
    async login(email, password) {
      if (!settings.EMAIL_AUTH_ENABLED) {
        throw new GatewayError("forbidden", "Email authentication is disabled (EMAIL_AUTH_ENABLED)");
      }
      const user = await users.authenticate(email, password);
      const accessToken = await jwt.mint(user.email, {
        expiresInMinutes: settings.TOKEN_EXPIRY,
        claims: { token_use: "session" },
      });
      return {
        access_token: accessToken,
        token_type: "bearer",
        expires_in: settings.TOKEN_EXPIRY * 60,
        user,
      };
    },

    async logout(token) {
      const verified = await jwt.verify(token);
      if (verified.jti === undefined) {
        throw new GatewayError("bad_request", "Token does not support revocation (no jti)");
      }
      await revokeTokenId(db, {
        jti: verified.jti,
        revokedBy: verified.subject,
        reason: "logout",
        expiresAt:
          verified.expiresAt === undefined ? null : new Date(verified.expiresAt * 1000).toISOString(),
        now: nowIso(),
      });
      changed();
      return { jti: verified.jti };
    },
  };
}
