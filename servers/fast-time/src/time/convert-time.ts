import { TimeInputError } from "./time-input-error.js";
import { type ZoneSnapshot, zoneSnapshot } from "./zone-snapshot.js";
import { offsetMinutes, resolveTimeZone, zonedParts } from "./zoned-time.js";

/** Input of {@link convertTime}. */
export interface ConvertTimeInput {
  /** `HH:MM`, 24-hour clock, on today's date in the source timezone. */
  readonly time: string;
  readonly sourceTimezone: string;
  readonly targetTimezone: string;
  /** The moment that decides "today" (and so which offsets apply); defaults to now. */
  readonly now?: Date;
}

/** A wall-clock time in one zone, the same instant in another, and how far apart they are. */
export type TimeConversion = {
  readonly source: ZoneSnapshot;
  readonly target: ZoneSnapshot;
  /** Target offset minus source offset, in hours (fractional for zones like Asia/Kathmandu). */
  readonly difference_hours: number;
  /** The same difference for reading, e.g. `+9h` or `-5.75h`. */
  readonly time_difference: string;
};

const CLOCK_TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** Hours and minutes of a 24-hour `HH:MM` string, or a {@link TimeInputError}. */
export function parseClockTime(time: string): { hour: number; minute: number } {
  const match = CLOCK_TIME.exec(time.trim());
  if (match === null) {
    throw new TimeInputError(
      "INVALID_TIME",
      `Invalid time '${time}': expected HH:MM on a 24-hour clock, e.g. '14:30'.`,
    );
  }
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/**
 * The UTC instant at which the clock in `timeZone` shows the given wall time. A wall time skipped by
 * a daylight-saving jump resolves to the instant the offset before the jump gives.
 */
export function instantFromWallTime(
  wall: { year: number; month: number; day: number; hour: number; minute: number },
  timeZone: string,
): Date {
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const firstGuess = wallAsUtc - offsetMinutes(new Date(wallAsUtc), timeZone) * 60_000;
  const corrected = wallAsUtc - offsetMinutes(new Date(firstGuess), timeZone) * 60_000;
  return new Date(corrected);
}

function formatHours(hours: number): string {
  const sign = hours < 0 ? "-" : "+";
  return `${sign}${Number(Math.abs(hours).toFixed(2))}h`;
}

/** Converts `time` today in the source timezone to the target timezone. */
export function convertTime(input: ConvertTimeInput): TimeConversion {
  const source = resolveTimeZone(input.sourceTimezone);
  const target = resolveTimeZone(input.targetTimezone);
  const clock = parseClockTime(input.time);
  const today = zonedParts(input.now ?? new Date(), source);
  const instant = instantFromWallTime({ ...today, ...clock }, source);
  const minutes = offsetMinutes(instant, target) - offsetMinutes(instant, source);
  const hours = minutes / 60;
  return {
    source: zoneSnapshot(instant, source),
    target: zoneSnapshot(instant, target),
    difference_hours: hours,
    time_difference: formatHours(hours),
  };
}
