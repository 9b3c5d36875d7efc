import { McpServer } from "@modelcontextprotocol/server";
import { packageVersion } from "../package-version.js";
import { registerCompareTimesPrompt } from "./compare-times-prompt.js";
import { registerTimeTools } from "./time-tools.js";
import { registerTimezonesResource } from "./timezones-resource.js";

/** Options for {@link createFastTimeServer}. */
export interface FastTimeServerOptions {
  /** The clock every tool, resource and prompt reads; replace it to test at a fixed instant. */
  readonly now?: () => Date;
}

/**
 * A new MCP server instance with the time tools, the `time://timezones` resource and the
 * `compare_times` prompt. It is cheap and stateless, so it fits the SDK's per-request and
 * per-connection factories.
 */
export function createFastTimeServer(options: FastTimeServerOptions = {}): McpServer {
  const now = options.now ?? (() => new Date());
  const server = new McpServer(
    { name: "fast-time", title: "Fast Time", version: packageVersion() },
    {
      instructions:
        "Use get_system_time for the current time in a timezone and convert_time to convert an HH:MM " +
        "time between timezones. Timezones are IANA names such as 'Europe/Paris'.",
    },
  );
  registerTimeTools(server, now);
  registerTimezonesResource(server, now);
  registerCompareTimesPrompt(server, now);
  return server;
}
