import { describe, expect, it } from "vitest";
import { renderCompareTimes } from "./compare-times-prompt.js";

const NOW = new Date("2026-01-15T08:00:00Z");

describe("renderCompareTimes", () => {
  it("lists the current time in each zone when no meeting time is given", () => {
    const text = renderCompareTimes({ timezones: "Europe/Paris,  America/New_York" }, NOW);
    expect(text).toContain("- Europe/Paris: 09:00 on Thursday 2026-01-15 (UTC+01:00)");
    expect(text).toContain("- America/New_York: 03:00 on Thursday 2026-01-15 (UTC-05:00)");
    expect(text).toContain("working hours");
  });

  it("converts a meeting time from the source zone", () => {
    const text = renderCompareTimes(
      { timezones: "UTC, Asia/Tokyo", meeting_time: "10:00", source_timezone: "Europe/Berlin" },
      NOW,
    );
    expect(text).toContain("A meeting is proposed for 10:00 (Europe/Berlin)");
    expect(text).toContain("- UTC: 09:00 on Thursday");
    expect(text).toContain("- Asia/Tokyo: 18:00 on Thursday");
  });

  it("rejects an empty list and a bad zone", () => {
    expect(() => renderCompareTimes({ timezones: " , " }, NOW)).toThrow(/at least one IANA timezone/);
    expect(() => renderCompareTimes({ timezones: "UTC, Atlantis/Capital" }, NOW)).toThrow(
      /Atlantis\/Capital/,
    );
  });
});
