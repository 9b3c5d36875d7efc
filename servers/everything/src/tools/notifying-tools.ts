import { setTimeout as sleep } from "node:timers/promises";
import type { McpServer } from "@modelcontextprotocol/server";
import { textResult } from "../fixtures.js";
import type { RegistrationContext } from "../registration-context.js";

const PAUSE_MS = 50;

/** Registers the conformance tools that send notifications before their result. */
export function registerNotifyingTools(server: McpServer, { era }: RegistrationContext): void {
  server.registerTool(
    "test_tool_with_progress",
    { description: "Reports progress 0, 50 and 100 of 100, then returns the progress token" },
    async (ctx) => {
      const progressToken = ctx.mcpReq._meta?.progressToken;
      if (progressToken !== undefined) {
        for (const progress of [0, 50, 100]) {
          if (progress > 0) await sleep(PAUSE_MS);
          await ctx.mcpReq.notify({
            method: "notifications/progress",
            params: { progressToken, progress, total: 100, message: `Completed step ${progress} of 100` },
          });
        }
      }
      return textResult(String(progressToken ?? "no progress token"));
    },
  );

  // Log notifications and reconnection-by-stream-close belong to the 2025 sessionful wire.
  if (era !== "legacy") return;

  server.registerTool(
    "test_tool_with_logging",
    { description: "Sends three info log messages while it runs" },
    async (ctx) => {
      for (const [index, data] of [
        "Tool execution started",
        "Tool processing data",
        "Tool execution completed",
      ].entries()) {
        if (index > 0) await sleep(PAUSE_MS);
        await ctx.mcpReq.log("info", data, "mcp-sample-everything");
      }
      return textResult("Tool with logging executed successfully");
    },
  );

  server.registerTool(
    "test_reconnection",
    { description: "Closes its SSE stream mid-call; the client must reconnect to get the result (SEP-1699)" },
    async (ctx) => {
      ctx.http?.closeSSE?.();
      await sleep(100);
      return textResult("Reconnection test completed successfully.");
    },
  );
}
