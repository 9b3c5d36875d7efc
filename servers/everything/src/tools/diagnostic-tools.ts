import {
  acceptedContent,
  inputRequired,
  LOG_LEVEL_META_KEY,
  type McpServer,
} from "@modelcontextprotocol/server";
import * as z from "zod";
import { textResult } from "../fixtures.js";
import type { RegistrationContext } from "../registration-context.js";
import { envelopeValue } from "./envelope.js";
import { askName } from "./input-required-tools.js";

/** Registers the hooks the 2026-07-28 stateless scenarios probe (SEP-2575). */
export function registerDiagnosticTools(server: McpServer, { state }: RegistrationContext): void {
  server.registerTool(
    "test_missing_capability",
    { description: "Asks for sampling whether or not the client declared it; the SDK must refuse (-32021)" },
    (ctx) => {
      if (ctx.mcpReq.inputResponses?.sample !== undefined) return textResult("Sampling input received");
      return inputRequired({
        inputRequests: {
          sample: inputRequired.createMessage({
            messages: [{ role: "user", content: { type: "text", text: "Say anything" } }],
            maxTokens: 10,
          }),
        },
      });
    },
  );

  server.registerTool(
    "test_logging_tool",
    { description: "Logs only when the request set a logLevel" },
    async (ctx) => {
      if (envelopeValue(ctx, LOG_LEVEL_META_KEY) !== undefined) {
        await ctx.mcpReq.notify({
          method: "notifications/message",
          params: { level: "info", logger: "mcp-sample-everything", data: "logLevel was set" },
        });
      }
      return textResult("Logging tool executed");
    },
  );

  server.registerTool(
    "test_streaming_elicitation",
    { description: "An elicitation flow that must never put a server-to-client request on the stream" },
    (ctx) => {
      const answer = acceptedContent(ctx.mcpReq.inputResponses, "user_name", z.object({ name: z.string() }));
      return answer
        ? textResult(`Hello, ${answer.name}!`)
        : inputRequired({ inputRequests: { user_name: askName() } });
    },
  );

  server.registerTool(
    "test_trigger_tool_change",
    { description: "Changes the tool list (toggles extra_tool)" },
    () => textResult(state.toggleExtraTool() ? "extra_tool enabled" : "extra_tool disabled"),
  );

  server.registerTool(
    "test_trigger_prompt_change",
    { description: "Changes the prompt list (toggles extra_prompt)" },
    () => textResult(state.toggleExtraPrompt() ? "extra_prompt enabled" : "extra_prompt disabled"),
  );
}
