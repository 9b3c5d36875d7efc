import { TimeInputError } from "./time-input-error.js";

/** Wall-clock fields of an instant in one timezone. */
export interface ZonedParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      weekday: "long",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The name to report for `timeZone`, or a {@link TimeInputError} when the runtime's time zone
 * database does not know it. ICU resolves current names to legacy ones (`Asia/Kolkata` to
 * `Asia/Calcutta`), so the caller's spelling is kept and only its letter case is corrected when
 * ICU's name is the same zone ID.
 */
export function resolveTimeZone(timeZone: string): string {
  const requested = timeZone.trim();
  try {
    const resolved = formatterFor(requested).resolvedOptions().timeZone;
    return resolved.toLowerCase() === requested.toLowerCase() ? resolved : requested;
  } catch (error) {
    throw new TimeInputError(
      "INVALID_TIMEZONE",
      `Invalid timezone '${timeZone}': use an IANA name such as 'UTC', 'Europe/Paris' or 'Asia/Tokyo'.`,
      { cause: error },
    );
  }
}

/** Wall-clock fields of `instant` in `timeZone` (which must be valid, see {@link resolveTimeZone}). */
export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const fields: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) fields[part.type] = part.value;
  return {
    year: Number(fields.year),
    month: Number(fields.month),
    day: Number(fields.day),
    hour: Number(fields.hour),
    minute: Number(fields.minute),
    second: Number(fields.second),
    weekday: fields.weekday ?? "",
  };
}

/** Minutes `timeZone` is ahead of UTC at `instant` (negative west of Greenwich). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const wallAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const wholeSeconds = Math.floor(instant.getTime() / 1_000) * 1_000;
  return Math.round((wallAsUtc - wholeSeconds) / 60_000);
}

/** An offset in minutes as ISO 8601 `±HH:MM`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `instant` as ISO 8601 local time with its offset in `timeZone`, e.g. `2026-01-05T21:00:00+09:00`. */
export function isoInZone(instant: Date, timeZone: string): string {
  const p = zonedParts(instant, timeZone);
  const date = `${String(p.year).padStart(4, "0")}-${pad(p.month)}-${pad(p.day)}`;
  return `${date}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${formatOffset(offsetMinutes(instant, timeZone))}`;
}

/**
 * Whether `timeZone` observes daylight saving time at `instant`: its offset then is larger than
 * its smaller offset of January and July (which one is winter depends on the hemisphere).
 */
export function isDaylightSaving(instant: Date, timeZone: string): boolean {
  const year = zonedParts(instant, timeZone).year;
  const january = offsetMinutes(new Date(Date.UTC(year, 0, 1)), timeZone);
  const july = offsetMinutes(new Date(Date.UTC(year, 6, 1)), timeZone);
  return january !== july && offsetMinutes(instant, timeZone) > Math.min(january, july);
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}
