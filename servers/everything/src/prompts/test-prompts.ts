import {
  acceptedContent,
  completable,
  inputRequired,
  type McpServer,
  type RegisteredPrompt,
} from "@modelcontextprotocol/server";
import * as z from "zod";
import { PNG_PIXEL_BASE64 } from "../fixtures.js";
import type { RegistrationContext } from "../registration-context.js";

const ARG1_SUGGESTIONS = ["test", "testing", "tested", "other"];

/** Registers `extra_prompt`, the prompt `test_trigger_prompt_change` adds and removes. */
export function registerExtraPrompt(server: McpServer): RegisteredPrompt {
  return server.registerPrompt("extra_prompt", { description: "Exists only while toggled on" }, () => ({
    messages: [{ role: "user", content: { type: "text", text: "This is the extra prompt." } }],
  }));
}

/** Registers the `test_*` prompts (and, on the 2026-07-28 wire, the multi-round-trip prompt). */
export function registerTestPrompts(server: McpServer, { era }: RegistrationContext): void {
  server.registerPrompt(
    "test_simple_prompt",
    { title: "Simple prompt", description: "A prompt without arguments" },
    () => ({
      messages: [{ role: "user", content: { type: "text", text: "This is a simple prompt for testing." } }],
    }),
  );

  server.registerPrompt(
    "test_prompt_with_arguments",
    {
      title: "Prompt with arguments",
      description: "A prompt with two required arguments; arg1 completes",
      argsSchema: z.object({
        arg1: completable(z.string().describe("First test argument"), (value) =>
          ARG1_SUGGESTIONS.filter((candidate) => candidate.startsWith(value)),
        ),
        arg2: z.string().describe("Second test argument"),
      }),
    },
    ({ arg1, arg2 }) => ({
      messages: [
        {
          role: "user",
          content: { type: "text", text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
        },
      ],
    }),
  );

  server.registerPrompt(
    "test_prompt_with_embedded_resource",
    {
      title: "Prompt with embedded resource",
      description: "A prompt that embeds the resource it is given",
      argsSchema: z.object({ resourceUri: z.string().describe("URI of the resource to embed") }),
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "resource",
            resource: {
              uri: resourceUri,
              mimeType: "text/plain",
              text: "Embedded resource content for testing.",
            },
          },
        },
        { role: "user", content: { type: "text", text: "Please process the embedded resource above." } },
      ],
    }),
  );

  server.registerPrompt(
    "test_prompt_with_image",
    { title: "Prompt with image", description: "A prompt that includes an image" },
    () => ({
      messages: [
        { role: "user", content: { type: "image", data: PNG_PIXEL_BASE64, mimeType: "image/png" } },
        { role: "user", content: { type: "text", text: "Please analyze the image above." } },
      ],
    }),
  );

  if (era === "modern") {
    const contextSchema = z.object({ context: z.string() });
    server.registerPrompt(
      "test_input_required_result_prompt",
      { description: "A prompt that asks the client for context first (SEP-2322)" },
      (ctx) => {
        const answer = acceptedContent(ctx.mcpReq.inputResponses, "user_context", contextSchema);
        if (!answer) {
          return inputRequired({
            inputRequests: {
              user_context: inputRequired.elicit({
                message: "What context should the prompt use?",
                requestedSchema: contextSchema,
              }),
            },
          });
        }
        return {
          messages: [{ role: "user", content: { type: "text", text: `Context: ${answer.context}` } }],
        };
      },
    );
  }
}
