import { describe, expect, it } from "vitest";
import { convertTime, instantFromWallTime, parseClockTime } from "./convert-time.js";
import { TimeInputError } from "./time-input-error.js";

const JANUARY = new Date("2026-01-15T08:00:00Z");
const JULY = new Date("2026-07-15T08:00:00Z");

describe("convertTime", () => {
  it("converts 12:00 UTC to 21:00 the same day in Tokyo", () => {
    const result = convertTime({
      time: "12:00",
      sourceTimezone: "UTC",
      targetTimezone: "Asia/Tokyo",
      now: JANUARY,
    });
    expect(result).toEqual({
      source: {
        timezone: "UTC",
        datetime: "2026-01-15T12:00:00+00:00",
        utc_offset: "+00:00",
        day_of_week: "Thursday",
        is_dst: false,
      },
      target: {
        timezone: "Asia/Tokyo",
        datetime: "2026-01-15T21:00:00+09:00",
        utc_offset: "+09:00",
        day_of_week: "Thursday",
        is_dst: false,
      },
      difference_hours: 9,
      time_difference: "+9h",
    });
  });

  it("applies daylight saving time of the day in question", () => {
    const winter = convertTime({
      time: "12:00",
      sourceTimezone: "UTC",
      targetTimezone: "America/New_York",
      now: JANUARY,
    });
    const summer = convertTime({
      time: "12:00",
      sourceTimezone: "UTC",
      targetTimezone: "America/New_York",
      now: JULY,
    });
    expect(winter.target).toMatchObject({ datetime: "2026-01-15T07:00:00-05:00", is_dst: false });
    expect(summer.target).toMatchObject({ datetime: "2026-07-15T08:00:00-04:00", is_dst: true });
    expect(summer.time_difference).toBe("-4h");
  });

  it("knows daylight saving time in the southern hemisphere", () => {
    const result = convertTime({
      time: "09:00",
      sourceTimezone: "Australia/Sydney",
      targetTimezone: "UTC",
      now: JANUARY,
    });
    expect(result.source).toMatchObject({ datetime: "2026-01-15T09:00:00+11:00", is_dst: true });
    expect(result.target.datetime).toBe("2026-01-14T22:00:00+00:00");
  });

  it("reports fractional differences and crosses midnight", () => {
    const result = convertTime({
      time: "23:30",
      sourceTimezone: "America/Los_Angeles",
      targetTimezone: "Asia/Kathmandu",
      now: JANUARY,
    });
    expect(result.source.datetime).toBe("2026-01-15T23:30:00-08:00");
    expect(result.target).toMatchObject({ datetime: "2026-01-16T13:15:00+05:45", day_of_week: "Friday" });
    expect(result.difference_hours).toBe(13.75);
    expect(result.time_difference).toBe("+13.75h");
  });

  it("keeps the zone name as the caller wrote it and fixes only its case", () => {
    const result = convertTime({
      time: "12:00",
      sourceTimezone: "utc",
      targetTimezone: "Asia/Kolkata",
      now: JANUARY,
    });
    expect(result.source.timezone).toBe("UTC");
    expect(result.target).toMatchObject({ timezone: "Asia/Kolkata", datetime: "2026-01-15T17:30:00+05:30" });
  });

  it("rejects an unknown timezone and a malformed time with a TimeInputError", () => {
    const call = (time: string, zone: string) => () =>
      convertTime({ time, sourceTimezone: "UTC", targetTimezone: zone, now: JANUARY });
    expect(call("12:00", "Mars/Olympus")).toThrow(TimeInputError);
    expect(call("12:00", "Mars/Olympus")).toThrow("Invalid timezone 'Mars/Olympus'");
    expect(call("24:00", "UTC")).toThrow(expect.objectContaining({ code: "INVALID_TIME" }));
  });
});

describe("parseClockTime", () => {
  it.each([
    ["00:00", 0, 0],
    ["9:05", 9, 5],
    ["23:59", 23, 59],
  ])("reads %s", (text, hour, minute) => {
    expect(parseClockTime(text)).toEqual({ hour, minute });
  });

  it.each(["24:00", "12:60", "12", "noon", "12:00:00", "-1:00", ""])("rejects %j", (text) => {
    expect(() => parseClockTime(text)).toThrow(/expected HH:MM/);
  });
});

describe("instantFromWallTime", () => {
  it("finds the instant for a wall time on both sides of a DST change", () => {
    const beforeChange = instantFromWallTime(
      { year: 2026, month: 3, day: 29, hour: 1, minute: 30 },
      "Europe/Paris",
    );
    const afterChange = instantFromWallTime(
      { year: 2026, month: 3, day: 29, hour: 3, minute: 30 },
      "Europe/Paris",
    );
    expect(beforeChange.toISOString()).toBe("2026-03-29T00:30:00.000Z");
    expect(afterChange.toISOString()).toBe("2026-03-29T01:30:00.000Z");
  });
});
