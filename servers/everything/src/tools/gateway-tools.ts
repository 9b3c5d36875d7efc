import { setTimeout as sleep } from "node:timers/promises";
import type { McpServer, RegisteredTool } from "@modelcontextprotocol/server";
import * as z from "zod";
import { textResult } from "../fixtures.js";
import type { RegistrationContext } from "../registration-context.js";

const slowInput = z.object({
  steps: z.number().int().min(1).max(10_000).default(10).describe("How many steps to run"),
  stepMs: z.number().int().min(0).max(60_000).default(100).describe("Milliseconds per step"),
});

/** Registers `extra_tool`, the tool `toggle_extra_tool` adds and removes. */
export function registerExtraTool(server: McpServer): RegisteredTool {
  return server.registerTool(
    "extra_tool",
    { description: "Exists only while toggled on by toggle_extra_tool" },
    () => textResult("extra_tool called"),
  );
}

/** Registers the tools the gateway's own tests and benchmarks drive. */
export function registerGatewayTools(server: McpServer, { state, log }: RegistrationContext): void {
  server.registerTool(
    "echo",
    {
      description: "Returns the message it is given as text content",
      inputSchema: z.object({ message: z.string().describe("The text to send back") }),
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    ({ message }) => textResult(message),
  );

  server.registerTool(
    "slow",
    {
      description: "Runs for steps x stepMs milliseconds, reporting progress; stops early when cancelled",
      inputSchema: slowInput,
    },
    async ({ steps, stepMs }, ctx) => {
      const { signal } = ctx.mcpReq;
      const progressToken = ctx.mcpReq._meta?.progressToken;
      for (let step = 1; step <= steps; step++) {
        try {
          await sleep(stepMs, undefined, { signal });
        } catch {
          log(`slow cancelled after ${step - 1} of ${steps} steps`);
          return { isError: true, content: [{ type: "text", text: "cancelled" }] };
        }
        if (progressToken !== undefined) {
          await ctx.mcpReq.notify({
            method: "notifications/progress",
            params: { progressToken, progress: step, total: steps, message: `step ${step} of ${steps}` },
          });
        }
      }
      return textResult(`completed ${steps} steps`);
    },
  );

  server.registerTool(
    "toggle_extra_tool",
    {
      description: "Adds or removes extra_tool, so the tool list changes (notifications/tools/list_changed)",
    },
    () => textResult(state.toggleExtraTool() ? "extra_tool enabled" : "extra_tool disabled"),
  );

  server.registerTool(
    "update_watched_resource",
    {
      description:
        "Changes test://watched-resource, notifying its subscribers (notifications/resources/updated)",
    },
    () => textResult(`test://watched-resource is now at revision ${state.touchWatchedResource()}`),
  );

  server.registerTool(
    "add",
    {
      description: "Adds two numbers; returns structured content matching its output schema",
      inputSchema: z.object({ a: z.number(), b: z.number() }),
      outputSchema: z.object({ sum: z.number() }),
      annotations: { readOnlyHint: true },
    },
    ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b } }),
  );
}
