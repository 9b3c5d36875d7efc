import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { convertTime } from "../time/convert-time.js";
import { getSystemTime } from "../time/system-time.js";
import { toolResult } from "./tool-result.js";

const timezoneName = z.string().min(1).max(100);

const zoneSnapshotSchema = z.object({
  timezone: z.string().describe("Canonical IANA timezone name"),
  datetime: z.string().describe("ISO 8601 local date and time with UTC offset"),
  utc_offset: z.string().describe("Offset from UTC as ±HH:MM"),
  day_of_week: z.string(),
  is_dst: z.boolean().describe("Whether daylight saving time is in effect"),
});

const conversionSchema = z.object({
  source: zoneSnapshotSchema,
  target: zoneSnapshotSchema,
  difference_hours: z.number().describe("Target offset minus source offset, in hours"),
  time_difference: z.string().describe("The same difference for reading, e.g. +9h"),
});

/** Registers `get_system_time` and `convert_time`; `now` is the clock both read. */
export function registerTimeTools(server: McpServer, now: () => Date): void {
  server.registerTool(
    "get_system_time",
    {
      title: "Current time",
      description: "Get the current date and time in an IANA timezone (default UTC), with its UTC offset.",
      inputSchema: z.object({
        timezone: timezoneName
          .default("UTC")
          .describe("IANA timezone name, e.g. 'Europe/Paris'. Default: UTC"),
      }),
      outputSchema: zoneSnapshotSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ timezone }) => toolResult(() => getSystemTime(timezone, now())),
  );

  server.registerTool(
    "convert_time",
    {
      title: "Convert time",
      description:
        "Convert a 24-hour HH:MM time, today in the source timezone, to the target timezone. " +
        "Returns both local times with their offsets and the difference in hours.",
      inputSchema: z.object({
        time: z.string().max(10).describe("Time on a 24-hour clock, HH:MM, e.g. '14:30'"),
        source_timezone: timezoneName.describe("IANA timezone the time is given in, e.g. 'America/New_York'"),
        target_timezone: timezoneName.describe("IANA timezone to convert to, e.g. 'Asia/Tokyo'"),
      }),
      outputSchema: conversionSchema,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ time, source_timezone, target_timezone }) =>
      toolResult(() =>
        convertTime({ time, sourceTimezone: source_timezone, targetTimezone: target_timezone, now: now() }),
      ),
  );
}
