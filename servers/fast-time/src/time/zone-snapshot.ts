import { formatOffset, isDaylightSaving, isoInZone, offsetMinutes, zonedParts } from "./zoned-time.js";

/** An instant as seen in one timezone: the shape every tool result uses (a type alias, so it fits `structuredContent`). */
export type ZoneSnapshot = {
  readonly timezone: string;
  /** ISO 8601 with offset, e.g. `2026-01-05T21:00:00+09:00`. */
  readonly datetime: string;
  /** `±HH:MM`. */
  readonly utc_offset: string;
  readonly day_of_week: string;
  readonly is_dst: boolean;
};

/** Describes `instant` in `timeZone` (a canonical name from `resolveTimeZone`). */
export function zoneSnapshot(instant: Date, timeZone: string): ZoneSnapshot {
  return {
    timezone: timeZone,
    datetime: isoInZone(instant, timeZone),
    utc_offset: formatOffset(offsetMinutes(instant, timeZone)),
    day_of_week: zonedParts(instant, timeZone).weekday,
    is_dst: isDaylightSaving(instant, timeZone),
  };
}
