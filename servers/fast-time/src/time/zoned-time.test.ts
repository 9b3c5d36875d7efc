import { describe, expect, it } from "vitest";
import { getSystemTime } from "./system-time.js";
import { formatOffset, isoInZone, offsetMinutes, resolveTimeZone } from "./zoned-time.js";

const INSTANT = new Date("2026-07-01T12:34:56.789Z");

describe("zoned time", () => {
  it("computes offsets east and west of Greenwich, including odd ones", () => {
    expect(offsetMinutes(INSTANT, "Asia/Tokyo")).toBe(540);
    expect(offsetMinutes(INSTANT, "America/St_Johns")).toBe(-150);
    expect(offsetMinutes(INSTANT, "Asia/Kathmandu")).toBe(345);
  });

  it("formats offsets as ±HH:MM", () => {
    expect(formatOffset(0)).toBe("+00:00");
    expect(formatOffset(-150)).toBe("-02:30");
    expect(formatOffset(765)).toBe("+12:45");
  });

  it("writes ISO 8601 local time with the offset", () => {
    expect(isoInZone(INSTANT, "Europe/Paris")).toBe("2026-07-01T14:34:56+02:00");
    expect(Date.parse(isoInZone(INSTANT, "Pacific/Auckland"))).toBe(
      Math.floor(INSTANT.getTime() / 1000) * 1000,
    );
  });

  it("rejects an unknown zone with a message naming it", () => {
    expect(() => resolveTimeZone("Not/AZone")).toThrow(/Invalid timezone 'Not\/AZone': use an IANA name/);
    expect(() => resolveTimeZone("")).toThrow(/Invalid timezone/);
  });

  it("describes the system time in a zone", () => {
    expect(getSystemTime("Europe/London", INSTANT)).toEqual({
      timezone: "Europe/London",
      datetime: "2026-07-01T13:34:56+01:00",
      utc_offset: "+01:00",
      day_of_week: "Wednesday",
      is_dst: true,
    });
  });
});
