import type { McpServer } from "@modelcontextprotocol/server";
import { COMMON_TIMEZONES } from "../time/common-timezones.js";
import { zoneSnapshot } from "../time/zone-snapshot.js";
import { resolveTimeZone } from "../time/zoned-time.js";

/** URI of the resource listing common timezones. */
export const TIMEZONES_RESOURCE_URI = "time://timezones";

/** Registers `time://timezones`: common zones with their local time and offset at read time. */
export function registerTimezonesResource(server: McpServer, now: () => Date): void {
  server.registerResource(
    "timezones",
    TIMEZONES_RESOURCE_URI,
    {
      title: "Common timezones",
      description: "Common IANA timezones with their current local time, UTC offset and DST state (JSON).",
      mimeType: "application/json",
    },
    (uri) => {
      const instant = now();
      const body = {
        generated_at: instant.toISOString(),
        timezones: COMMON_TIMEZONES.map((zone) => zoneSnapshot(instant, resolveTimeZone(zone))),
      };
      return {
        contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(body, null, 2) }],
      };
    },
  );
}
