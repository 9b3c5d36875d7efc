import { randomBytes } from "node:crypto";

/** PostgreSQL truncates identifiers longer than this; MySQL allows 64, so 63 fits both. */
const MAX_IDENTIFIER_LENGTH = 63;

/**
 * A lowercase identifier (`[a-z0-9_]`, at most 63 characters) that no other test file, worker or
 * concurrent run will pick: the process id and random bytes separate parallel workers, the time
 * keeps names from one run apart from leftovers of an earlier one.
 */
export function uniqueName(label = "t"): string {
  const suffix = `${process.pid.toString(36)}_${Date.now().toString(36)}_${randomBytes(5).toString("hex")}`;
  const room = MAX_IDENTIFIER_LENGTH - "cf_".length - 1 - suffix.length;
  const cleaned =
    label
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, room) || "t";
  return `cf_${cleaned}_${suffix}`;
}
