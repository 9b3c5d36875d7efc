import { SECRET_VARIABLES } from "./settings-schema.js";

/** What replaces a secret in any output. */
export const MASK = "*****";

/** A URL with the password of its user-info part masked (`redis://u:*****@host`). */
export function maskUrlCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/i, `$1:${MASK}@`);
}

/**
 * A variable's value as it may be shown: secrets masked entirely, passwords inside URLs
 * masked, everything else as is.
 */
export function displayValue(variable: string, value: string): string {
  if (SECRET_VARIABLES.has(variable)) return MASK;
  return maskUrlCredentials(value);
}

/** The settings as they may be logged or printed: secrets masked, URL passwords hidden. */
export function maskSettings(settings: object): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (SECRET_VARIABLES.has(key) && Array.isArray(value)) shown[key] = value.map(() => MASK);
    else shown[key] = typeof value === "string" ? displayValue(key, value) : value;
  }
  return shown;
}
