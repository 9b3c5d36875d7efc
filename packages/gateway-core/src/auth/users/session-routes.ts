import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { snakeCaseKeys } from "../../edge/input-keys.js";
import { readJsonBody } from "../../edge/read-json-body.js";
import { parseWith } from "../../edge/zod-issues.js";
import { GatewayError } from "../../errors/gateway-error.js";
import type { GatewayEnv, Principal } from "../principal.js";
import type { SessionService } from "./session-service.js";
import { changePasswordSchema, loginSchema } from "./user-schema.js";
import type { UserService } from "./user-service.js";

/** Largest body the auth routes read: credentials and a few fields, never more. */
const AUTH_BODY_LIMIT = 16 * 1024;

/** The body limit of the auth routes (the login routes are mounted before the app's own limit). */
export const authBodyLimit: MiddlewareHandler = bodyLimit({
  maxSize: AUTH_BODY_LIMIT,
  onError: () => {
    throw new GatewayError("payload_too_large", `request body is larger than ${AUTH_BODY_LIMIT} bytes`);
  },
});

/**
 * `/auth/email/login` and its alias `/auth/login`, for callers that are not authenticated yet:
 * mount at `/auth` before the authentication guard.
 */
export function createLoginRoutes(sessions: SessionService): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();
  for (const path of ["/email/login", "/login"]) {
    router.post(path, authBodyLimit, async (c) => {
      const input = parseWith(loginSchema, snakeCaseKeys(await readJsonBody(c)), ["body"]);
      return c.json(await sessions.login(input.email, input.password));
    });
  }
  return router;
}

/** Options of {@link createSessionRoutes}. */
export interface SessionRouteOptions {
  readonly users: UserService;
  readonly sessions: SessionService;
  /** The header the bearer token comes in (AUTH_HEADER_NAME). */
  readonly authHeaderName: string;
}

/** `/auth/logout`, `/auth/email/me`, `/auth/email/change-password`: mount at `/auth` after the guard. */
export function createSessionRoutes({
  users,
  sessions,
  authHeaderName,
}: SessionRouteOptions): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();

  router.post("/logout", async (c) => {
    const [scheme, token] = (c.req.header(authHeaderName) ?? "").trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() !== "bearer" || !token) {
      throw new GatewayError("bad_request", "Only a bearer token can be logged out");
    }
    const { jti } = await sessions.logout(token);
    return c.json({ message: "Logged out successfully", revoked_token: jti });
  });

  router.get("/email/me", async (c) => c.json(await users.get(c.get("principal").subject)));

  router.post("/email/change-password", authBodyLimit, async (c) => {
    const input = parseWith(changePasswordSchema, snakeCaseKeys(await readJsonBody(c)), ["body"]);
    await users.changePassword(c.get("principal").subject, input.old_password, input.new_password);
    return c.json({ success: true, message: "Password changed successfully" });
  });

  return router;
}

// What a session that must change its password may still do.
const OPEN_DURING_PASSWORD_CHANGE = new Set([
  "/auth/email/me",
  "/auth/email/change-password",
  "/auth/logout",
]);

/**
 * Throws a 403 when the principal must change its password first (a login session of the
 * bootstrap admin with the default password) and `path` is not one of the routes that allows it.
 * Call it right after authentication, for every request.
 */
export function assertPasswordChangeAllowed(principal: Principal | undefined, path: string): void {
  if (!principal?.passwordChangeRequired) return;
  const normalised = path.length > 1 ? path.replace(/\/+$/, "") : path;
  if (OPEN_DURING_PASSWORD_CHANGE.has(normalised)) return;
  throw new GatewayError(
    "forbidden",
    "Password change required: change your password with POST /auth/email/change-password before continuing",
  );
}
