import { isAbsolute, resolve } from "node:path";
import { GatewayError } from "../errors/gateway-error.js";

/** The SQL engines the gateway stores its state in. */
export type DialectName = "sqlite" | "postgres" | "mysql";

/** A parsed `DATABASE_URL`. */
export type DatabaseTarget =
  | { readonly dialect: "sqlite"; readonly path: string }
  | { readonly dialect: "postgres" | "mysql"; readonly url: string };

/**
 * Parses `DATABASE_URL` in ContextForge's (SQLAlchemy's) forms: `sqlite:///./mcp.db` (relative),
 * `sqlite:////abs/mcp.db`, `sqlite:///:memory:`, `postgresql[+driver]://...`, `postgres://...`,
 * `mysql[+driver]://...`, `mariadb://...`. A relative SQLite path is resolved against `cwd`.
 */
export function parseDatabaseUrl(raw: string, cwd: string = process.cwd()): DatabaseTarget {
  const match = /^([a-z][a-z0-9]*)(?:\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(raw.trim());
  if (!match?.[1]) {
    throw new GatewayError("bad_request", `DATABASE_URL ${redact(raw)} is not a URL like sqlite:///./mcp.db`);
  }
  const scheme = match[1].toLowerCase();
  const rest = match[2] ?? "";
  switch (scheme) {
    case "sqlite": {
      // sqlite:///relative/path or sqlite:////absolute/path (SQLAlchemy): strip exactly one "/".
      const path = rest.startsWith("/") ? rest.slice(1) : rest;
      if (path === "" || path === ":memory:") return { dialect: "sqlite", path: ":memory:" };
      return { dialect: "sqlite", path: isAbsolute(path) ? path : resolve(cwd, path) };
    }
    case "postgres":
    case "postgresql":
      return { dialect: "postgres", url: `postgres://${rest}` };
    case "mysql":
    case "mariadb":
      return { dialect: "mysql", url: `mysql://${rest}` };
    default:
      throw new GatewayError(
        "bad_request",
        `DATABASE_URL scheme "${scheme}" is not supported (use sqlite, postgresql or mysql)`,
      );
  }
}

/** The URL with any password replaced, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}
