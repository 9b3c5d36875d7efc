import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { Settings } from "../config/settings.js";

type HeaderSettings = Pick<
  Settings,
  "SECURITY_HEADERS_ENABLED" | "X_FRAME_OPTIONS" | "HSTS_ENABLED" | "HSTS_MAX_AGE" | "HSTS_INCLUDE_SUBDOMAINS"
>;

// The API answers JSON and event streams: nothing in them may load or run anything. Pages (the
// docs page, the admin UI) set their own policy, which is kept.
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/** Whether the request reached us over TLS (directly, or as the proxy in front says). */
function overTls(url: string, forwardedProto: string | undefined): boolean {
  if (url.startsWith("https:")) return true;
  return forwardedProto?.split(",")[0]?.trim().toLowerCase() === "https";
}

/**
 * Security headers on every answer: X-Content-Type-Options, X-Frame-Options, Referrer-Policy,
 * a Content-Security-Policy where the answer has none, HSTS when the request came over TLS; and
 * no header that names the server's software.
 */
export function securityHeaders(settings: HeaderSettings): MiddlewareHandler {
  const hsts = `max-age=${settings.HSTS_MAX_AGE}${settings.HSTS_INCLUDE_SUBDOMAINS ? "; includeSubDomains" : ""}`;
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.delete("X-Powered-By");
    if (!settings.SECURITY_HEADERS_ENABLED) return;
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", settings.X_FRAME_OPTIONS);
    headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
    headers.set("Cross-Origin-Opener-Policy", "same-origin");
    if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", API_CSP);
    if (settings.HSTS_ENABLED && overTls(c.req.url, c.req.header("x-forwarded-proto"))) {
      headers.set("Strict-Transport-Security", hsts);
    }
  };
}

/** Headers MCP and API clients send, and those browsers may read from answers. */
const ALLOW_HEADERS = [
  "Authorization",
  "Content-Type",
  "Accept",
  "Last-Event-ID",
  "Mcp-Session-Id",
  "Mcp-Protocol-Version",
  "Mcp-Method",
  "Mcp-Name",
  "X-Requested-With",
];
const EXPOSE_HEADERS = ["Mcp-Session-Id", "Mcp-Protocol-Version", "WWW-Authenticate", "Retry-After"];

/**
 * CORS (hono/cors) for the origins of ALLOWED_ORIGINS (`*` = any; credentials are then never
 * allowed, as browsers require). Requests from other origins get no CORS headers, so browsers
 * refuse to read the answers; the origin guard refuses them outright.
 */
export function corsPolicy(
  settings: Pick<Settings, "CORS_ENABLED" | "ALLOWED_ORIGINS" | "CORS_ALLOW_CREDENTIALS">,
): MiddlewareHandler | undefined {
  if (!settings.CORS_ENABLED || settings.ALLOWED_ORIGINS.length === 0) return undefined;
  const any = settings.ALLOWED_ORIGINS.includes("*");
  const allowed = new Set(settings.ALLOWED_ORIGINS);
  return cors({
    origin: any ? "*" : (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    credentials: !any && settings.CORS_ALLOW_CREDENTIALS,
    maxAge: 600,
  });
}
