import { validationError } from "../../errors/gateway-error.js";
import type { AuthInput } from "../tools/tool-schema.js";

/** Credentials turned into the HTTP headers the gateway sends upstream. */
export interface AuthHeaders {
  readonly authType: "basic" | "bearer" | "authheaders";
  readonly headers: Record<string, string>;
}

/**
 * Builds upstream headers from ContextForge's flat auth fields; undefined when no auth is set.
 * A type without its required fields is a 422 naming them.
 */
export function authHeadersFrom(input: AuthInput, loc: readonly string[]): AuthHeaders | undefined {
  const missing = (field: string) =>
    validationError([
      { loc: [...loc, field], msg: `required when auth_type is ${input.auth_type}`, type: "missing" },
    ]);
  switch (input.auth_type) {
    case undefined:
    case null:
      return undefined;
    case "basic": {
      if (!input.auth_username) throw missing("auth_username");
      if (!input.auth_password) throw missing("auth_password");
      const encoded = Buffer.from(`${input.auth_username}:${input.auth_password}`, "utf8").toString("base64");
      return { authType: "basic", headers: { Authorization: `Basic ${encoded}` } };
    }
    case "bearer":
      if (!input.auth_token) throw missing("auth_token");
      return { authType: "bearer", headers: { Authorization: `Bearer ${input.auth_token}` } };
    case "authheaders":
      if (!input.auth_header_key) throw missing("auth_header_key");
      if (!input.auth_header_value) throw missing("auth_header_value");
      return { authType: "authheaders", headers: { [input.auth_header_key]: input.auth_header_value } };
  }
}

/** True when the input touches any auth field (an update that changes credentials). */
export function mentionsAuth(input: AuthInput): boolean {
  return (
    input.auth_type !== undefined ||
    input.auth_username !== undefined ||
    input.auth_password !== undefined ||
    input.auth_token !== undefined ||
    input.auth_header_key !== undefined ||
    input.auth_header_value !== undefined
  );
}
