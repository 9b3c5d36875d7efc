import { createHash } from "node:crypto";

/** Separators ContextForge allows between a gateway slug and a tool name. */
export type NameSeparator = "-" | "--" | "_" | ".";

/** The longest exposed name: what LLM provider APIs accept for a function name. */
export const MAX_EXPOSED_NAME_LENGTH = 64;

const SPECIAL: Record<string, string> = {
  æ: "ae",
  Æ: "AE",
  ß: "ss",
  ø: "o",
  Ø: "O",
  đ: "d",
  Đ: "D",
  ł: "l",
  Ł: "L",
};

/**
 * ContextForge's slug rule: ASCII only, lower-case, every run of non-alphanumerics (underscores
 * included) becomes one `separator`, none at either end; apostrophes inside words vanish.
 */
export function slugify(text: string, separator: NameSeparator = "-"): string {
  const ascii = text
    .replace(/[æÆßøØđĐłŁ]/g, (c) => SPECIAL[c] ?? c)
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "");
  const slug = ascii
    .toLowerCase()
    .replace(/(\w)['’](\w)/g, "$1$2")
    .replace(/[\W_]+/g, separator);
  return trimSeparators(slug, separator);
}

function trimSeparators(text: string, separator: string): string {
  let out = text;
  while (out.startsWith(separator)) out = out.slice(separator.length);
  while (out.endsWith(separator)) out = out.slice(0, -separator.length);
  return out;
}

/** A short, stable fingerprint of `parts`, for disambiguating names. */
export function nameHash(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 8);
}

/**
 * The name a tool is exposed under: `<gateway-slug><sep><slug(custom or original name)>`, at most
 * 64 characters. A longer name keeps its start and ends with a hash of the full name, so it is
 * deterministic and two long names cannot collide by truncation. `disambiguator` (e.g. the tool's
 * identity) is hashed into the name when the plain form is already taken by another tool.
 */
export function exposedToolName(options: {
  readonly gatewaySlug?: string | undefined;
  readonly name: string;
  readonly separator: NameSeparator;
  readonly disambiguator?: string;
}): string {
  const { gatewaySlug, separator } = options;
  const local = slugify(options.name, separator) || nameHash(options.name);
  const full = gatewaySlug ? `${gatewaySlug}${separator}${local}` : local;
  if (options.disambiguator === undefined && full.length <= MAX_EXPOSED_NAME_LENGTH) return full;
  const hash = nameHash(full, options.disambiguator ?? "");
  const room = MAX_EXPOSED_NAME_LENGTH - separator.length - hash.length;
  return `${trimSeparators(full.slice(0, room), separator)}${separator}${hash}`;
}
