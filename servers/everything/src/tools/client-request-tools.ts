import type { McpServer } from "@modelcontextprotocol/server";
import * as z from "zod";
import { textResult } from "../fixtures.js";

/** Schema of the SEP-1034 elicitation: a default for every primitive type. */
const DEFAULTS_SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string", description: "User name", default: "John Doe" },
    age: { type: "integer", description: "User age", default: 30 },
    score: { type: "number", description: "User score", default: 95.5 },
    status: {
      type: "string",
      description: "User status",
      enum: ["active", "inactive", "pending"],
      default: "active",
    },
    verified: { type: "boolean", description: "Verification status", default: true },
  },
  required: [],
} as const;

/** Schema of the SEP-1330 elicitation: the five enum shapes. */
const ENUMS_SCHEMA = {
  type: "object",
  properties: {
    untitledSingle: {
      type: "string",
      description: "Select one option",
      enum: ["option1", "option2", "option3"],
    },
    titledSingle: {
      type: "string",
      description: "Select one option with titles",
      oneOf: [
        { const: "value1", title: "First Option" },
        { const: "value2", title: "Second Option" },
        { const: "value3", title: "Third Option" },
      ],
    },
    legacyEnum: {
      type: "string",
      description: "Select one option (legacy)",
      enum: ["opt1", "opt2", "opt3"],
      enumNames: ["Option One", "Option Two", "Option Three"],
    },
    untitledMulti: {
      type: "array",
      description: "Select multiple options",
      minItems: 1,
      maxItems: 3,
      items: { type: "string", enum: ["option1", "option2", "option3"] },
    },
    titledMulti: {
      type: "array",
      description: "Select multiple options with titles",
      minItems: 1,
      maxItems: 3,
      items: {
        anyOf: [
          { const: "value1", title: "First Choice" },
          { const: "value2", title: "Second Choice" },
          { const: "value3", title: "Third Choice" },
        ],
      },
    },
  },
  required: [],
} as const;

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Registers the 2025-era tools that send sampling and elicitation requests to the client while
 * they run. (The 2026-07-28 wire has no server-to-client requests; see input-required-tools.)
 */
export function registerClientRequestTools(server: McpServer): void {
  server.registerTool(
    "test_sampling",
    {
      description: "Asks the client's LLM to complete a prompt (sampling/createMessage)",
      inputSchema: z.object({ prompt: z.string().describe("The prompt to send to the LLM") }),
    },
    async ({ prompt }, ctx) => {
      try {
        const result = await ctx.mcpReq.send({
          method: "sampling/createMessage",
          params: { messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 100 },
        });
        const blocks = Array.isArray(result.content) ? result.content : [result.content];
        const text = blocks.find((block) => block.type === "text");
        return textResult(`LLM response: ${text?.type === "text" ? text.text : "(no text)"}`);
      } catch (error) {
        return textResult(`Sampling not supported or error: ${describeFailure(error)}`);
      }
    },
  );

  const elicit = (
    name: string,
    description: string,
    message: (args: { message?: string | undefined }) => string,
    schema: object,
  ) => {
    server.registerTool(
      name,
      {
        description,
        inputSchema: z.object({ message: z.string().optional().describe("The message to show the user") }),
      },
      async (args, ctx) => {
        try {
          const result = await ctx.mcpReq.send({
            method: "elicitation/create",
            params: { mode: "form", message: message(args), requestedSchema: schema },
          });
          return textResult(
            `User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`,
          );
        } catch (error) {
          return textResult(`Elicitation not supported or error: ${describeFailure(error)}`);
        }
      },
    );
  };

  elicit(
    "test_elicitation",
    "Asks the user for a response (elicitation/create)",
    (args) => args.message ?? "Please respond",
    {
      type: "object",
      properties: { response: { type: "string", description: "User's response" } },
      required: ["response"],
    },
  );
  elicit(
    "test_elicitation_sep1034_defaults",
    "Elicitation with a default for every primitive type (SEP-1034)",
    () => "Please review and update the form fields with defaults",
    DEFAULTS_SCHEMA,
  );
  elicit(
    "test_elicitation_sep1330_enums",
    "Elicitation with every enum schema shape (SEP-1330)",
    () => "Please select options from the enum fields",
    ENUMS_SCHEMA,
  );
}
