import {
  acceptedContent,
  CLIENT_CAPABILITIES_META_KEY,
  type InputRequest,
  inputRequired,
  inputResponse,
  type McpServer,
  type ToolCallback,
} from "@modelcontextprotocol/server";
import * as z from "zod";
import { textResult } from "../fixtures.js";
import type { RegistrationContext } from "../registration-context.js";
import { envelopeValue } from "./envelope.js";

const nameSchema = z.object({ name: z.string() });
const colorSchema = z.object({ color: z.string() });
const confirmSchema = z.object({ ok: z.boolean() });

/** The embedded requests the multi-round-trip tools send (shapes fixed by SEP-2322's scenarios). */
export const askName = (message = "What is your name?"): InputRequest =>
  inputRequired.elicit({ message, requestedSchema: nameSchema });
const askSample = (text: string, maxTokens: number): InputRequest =>
  inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text } }], maxTokens });

function samplingText(responses: Record<string, unknown> | undefined, key: string): string | undefined {
  const view = inputResponse(responses, key);
  if (view.kind !== "sampling") return undefined;
  const blocks = Array.isArray(view.result.content) ? view.result.content : [view.result.content];
  const text = blocks.find((block) => block.type === "text");
  return text?.type === "text" ? text.text : "(non-text content)";
}

/**
 * Registers the 2026-07-28 multi-round-trip tools (SEP-2322): each returns `input_required`
 * until the client retries with the answers, and re-asks (never errors) when an answer is
 * missing or malformed. `requestState` is HMAC-signed by the shared codec, so a tampered
 * state is refused with `-32602` before the handler runs.
 */
export function registerInputRequiredTools(server: McpServer, { state }: RegistrationContext): void {
  const tool = (name: string, description: string, handler: ToolCallback): void => {
    server.registerTool(name, { description }, handler);
  };
  const mint = (payload: Record<string, unknown>): Promise<string> => state.requestState.mint(payload);

  tool("test_input_required_result_elicitation", "Asks for the user's name by elicitation", (ctx) => {
    const answer = acceptedContent(ctx.mcpReq.inputResponses, "user_name", nameSchema);
    return answer
      ? textResult(`Hello, ${answer.name}!`)
      : inputRequired({ inputRequests: { user_name: askName() } });
  });

  tool("test_input_required_result_sampling", "Asks the client's LLM a question by sampling", (ctx) => {
    const text = samplingText(ctx.mcpReq.inputResponses, "capital_question");
    if (text !== undefined) return textResult(`Sampling response: ${text}`);
    return inputRequired({
      inputRequests: { capital_question: askSample("What is the capital of France?", 100) },
    });
  });

  tool("test_input_required_result_list_roots", "Asks the client for its roots", (ctx) => {
    const view = inputResponse(ctx.mcpReq.inputResponses, "client_roots");
    if (view.kind !== "roots")
      return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
    return textResult(
      `Received ${view.roots.length} root(s): ${view.roots.map((root) => root.uri).join(", ")}`,
    );
  });

  tool("test_input_required_result_request_state", "Round-trips a signed requestState", async (ctx) => {
    const answer = acceptedContent(ctx.mcpReq.inputResponses, "confirm", confirmSchema);
    const flow = ctx.mcpReq.requestState<Record<string, unknown>>();
    if (answer && flow?.tool === "request_state") return textResult(`state-ok: confirmed=${answer.ok}`);
    return inputRequired({
      inputRequests: {
        confirm: inputRequired.elicit({ message: "Please confirm", requestedSchema: confirmSchema }),
      },
      requestState: await mint({ tool: "request_state" }),
    });
  });

  tool(
    "test_input_required_result_multiple_inputs",
    "Asks for elicitation, sampling and roots at once",
    async (ctx) => {
      const responses = ctx.mcpReq.inputResponses;
      const name = acceptedContent(responses, "user_name", nameSchema);
      const greeting = samplingText(responses, "greeting");
      const roots = inputResponse(responses, "client_roots");
      if (
        name &&
        greeting !== undefined &&
        roots.kind === "roots" &&
        ctx.mcpReq.requestState() !== undefined
      ) {
        return textResult(
          `All inputs received: name=${name.name}, greeting=${greeting}, roots=${roots.roots.length}`,
        );
      }
      return inputRequired({
        inputRequests: {
          user_name: askName(),
          greeting: askSample("Generate a greeting", 50),
          client_roots: inputRequired.listRoots(),
        },
        requestState: await mint({ tool: "multiple_inputs" }),
      });
    },
  );

  tool("test_input_required_result_multi_round", "Asks two questions in two rounds", async (ctx) => {
    const responses = ctx.mcpReq.inputResponses;
    const flow = ctx.mcpReq.requestState<{ round?: number; name?: string }>();
    const color = acceptedContent(responses, "step2", colorSchema);
    if (flow?.round === 2 && color) return textResult(`Done: ${flow.name} likes ${color.color}`);
    const name =
      flow?.round === 1 || flow?.round === 2 ? acceptedContent(responses, "step1", nameSchema) : undefined;
    if (flow?.round !== undefined && (name || flow.round === 2)) {
      return inputRequired({
        inputRequests: {
          step2: inputRequired.elicit({
            message: "Step 2: What is your favorite color?",
            requestedSchema: colorSchema,
          }),
        },
        requestState: await mint({ round: 2, name: name?.name ?? flow.name }),
      });
    }
    return inputRequired({
      inputRequests: { step1: askName("Step 1: What is your name?") },
      requestState: await mint({ round: 1 }),
    });
  });

  tool(
    "test_input_required_result_tampered_state",
    "Mints a signed requestState and rejects tampering",
    async (ctx) => {
      if (ctx.mcpReq.requestState() !== undefined) return textResult("state-ok: signature verified");
      return inputRequired({
        inputRequests: { user_name: askName() },
        requestState: await mint({ tool: "tampered" }),
      });
    },
  );

  tool(
    "test_input_required_result_capabilities",
    "Asks only for what the client declared it supports",
    (ctx) => {
      const declared = (envelopeValue(ctx, CLIENT_CAPABILITIES_META_KEY) ?? {}) as Record<string, unknown>;
      const inputRequests: Record<string, InputRequest> = {};
      if (declared.sampling !== undefined)
        inputRequests.capital_question = askSample("What is the capital of France?", 100);
      if (declared.elicitation !== undefined) inputRequests.user_name = askName();
      if (declared.roots !== undefined) inputRequests.client_roots = inputRequired.listRoots();
      const answered = Object.keys(ctx.mcpReq.inputResponses ?? {}).length > 0;
      if (answered || Object.keys(inputRequests).length === 0) return textResult("Capabilities respected");
      return inputRequired({ inputRequests });
    },
  );
}
