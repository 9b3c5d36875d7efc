import { type ZoneSnapshot, zoneSnapshot } from "./zone-snapshot.js";
import { resolveTimeZone } from "./zoned-time.js";

/** The current time in `timezone` (an IANA name); `now` is injectable for tests. */
export function getSystemTime(timezone: string, now: Date = new Date()): ZoneSnapshot {
  return zoneSnapshot(now, resolveTimeZone(timezone));
}
