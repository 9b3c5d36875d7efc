import { type McpServer, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import { z } from "zod";
import { convertTime } from "../time/convert-time.js";
import { TimeInputError } from "../time/time-input-error.js";
import { zoneSnapshot } from "../time/zone-snapshot.js";
import { resolveTimeZone } from "../time/zoned-time.js";

/** Input of the `compare_times` prompt (prompt arguments are always strings on the wire). */
export interface CompareTimesArgs {
  readonly timezones: string;
  readonly meeting_time?: string | undefined;
  readonly source_timezone?: string | undefined;
}

function zoneLine(snapshot: {
  timezone: string;
  datetime: string;
  day_of_week: string;
  utc_offset: string;
}): string {
  const clock = snapshot.datetime.slice(11, 16);
  return `- ${snapshot.timezone}: ${clock} on ${snapshot.day_of_week} ${snapshot.datetime.slice(0, 10)} (UTC${snapshot.utc_offset})`;
}

/** The prompt text for `args` at `instant`; throws {@link TimeInputError} on a bad zone or time. */
export function renderCompareTimes(args: CompareTimesArgs, instant: Date): string {
  const zones = args.timezones
    .split(",")
    .map((zone) => zone.trim())
    .filter((zone) => zone !== "");
  if (zones.length === 0) {
    throw new TimeInputError("INVALID_TIMEZONE", "List at least one IANA timezone, separated by commas.");
  }
  const source = args.source_timezone?.trim() || "UTC";
  if (args.meeting_time !== undefined && args.meeting_time.trim() !== "") {
    const meeting = args.meeting_time.trim();
    const lines = zones.map((zone) =>
      zoneLine(
        convertTime({ time: meeting, sourceTimezone: source, targetTimezone: zone, now: instant }).target,
      ),
    );
    return [
      `A meeting is proposed for ${meeting} (${resolveTimeZone(source)}). Local times for the participants:`,
      ...lines,
      "",
      "For each participant, say whether this falls within working hours (09:00-18:00 local time). " +
        "If it does not suit everyone, suggest the fairest alternative time, given in every timezone above.",
    ].join("\n");
  }
  const lines = zones.map((zone) => zoneLine(zoneSnapshot(instant, resolveTimeZone(zone))));
  return [
    "The current local times are:",
    ...lines,
    "",
    "Compare these times: who is in working hours (09:00-18:00 local time) now, and which one-hour " +
      "window today overlaps best for all of them? Give the window in every timezone above.",
  ].join("\n");
}

/** Registers `compare_times`: lines up several timezones, optionally around a proposed meeting time. */
export function registerCompareTimesPrompt(server: McpServer, now: () => Date): void {
  server.registerPrompt(
    "compare_times",
    {
      title: "Compare times across timezones",
      description:
        "Show the local time in several timezones (now, or for a proposed meeting) and ask for the best overlap.",
      argsSchema: z.object({
        timezones: z.string().describe("Comma-separated IANA timezones, e.g. 'Europe/Paris, Asia/Tokyo'"),
        meeting_time: z.string().optional().describe("Proposed meeting time, HH:MM on a 24-hour clock"),
        source_timezone: z.string().optional().describe("Timezone of meeting_time. Default: UTC"),
      }),
    },
    (args) => {
      try {
        const text = renderCompareTimes(args, now());
        return { messages: [{ role: "user", content: { type: "text", text } }] };
      } catch (error) {
        if (error instanceof TimeInputError)
          throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message);
        throw error;
      }
    },
  );
}
