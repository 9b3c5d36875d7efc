import { GatewayError } from "../errors/gateway-error.js";

const CAMEL = /[A-Z]/g;

/**
 * ContextForge accepts snake_case input and camelCase for some fields (`inputSchema`,
 * `mimeType`, `displayName`, every update): we accept both for every field, by turning
 * camelCase keys of the top-level object into snake_case. Giving one field in both spellings
 * is ambiguous and rejected.
 */
export function snakeCaseKeys(input: unknown): unknown {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const snake = key.replace(CAMEL, (letter) => `_${letter.toLowerCase()}`);
    if (snake in out) {
      throw new GatewayError("validation_failed", `field "${snake}" is given twice (as "${key}" too)`);
    }
    out[snake] = value;
  }
  return out;
}

/** Turns a snake_case identifier into camelCase, as ContextForge's JSON output spells it. */
export function toCamelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}
