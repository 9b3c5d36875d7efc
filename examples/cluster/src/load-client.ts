import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as V1StreamableHTTP } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";

/** Which SDK a load client uses, and so which protocol version it negotiates. */
export type ClientKind = "sdk-v2 2025-11-25" | "sdk-v1 2025-06-18";

/** A tool result reduced to what the workload checks. */
export interface ToolAnswer {
  readonly text: string;
  /** The `progress` values of the notifications received for the call, in arrival order. */
  readonly progress: readonly number[];
}

/** One sessionful MCP client of the workload, whichever SDK is under it. */
export interface LoadClient {
  readonly kind: ClientKind;
  callTool(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<ToolAnswer>;
  /** Every tool name, following `nextCursor` (always a round trip, never a cached listing). */
  listTools(timeoutMs: number): Promise<string[]>;
  close(): Promise<void>;
}

/** What the sampling handler answers: the prompt it was sent, so the call's result proves the round trip. */
export function samplingAnswer(prompt: string): string {
  return `sampled: ${prompt}`;
}

/** The text of the first message's first block: both SDKs' sampling requests have this shape. */
function promptOf(messages: readonly { content: unknown }[]): string {
  const content = messages[0]?.content;
  const block = (Array.isArray(content) ? content[0] : content) as
    | { type?: string; text?: string }
    | undefined;
  return block?.type === "text" ? (block.text ?? "") : "";
}

function firstText(result: object): string {
  const content = (("content" in result ? result.content : undefined) ?? []) as {
    type?: string;
    text?: string;
  }[];
  return content.find((block) => block.type === "text")?.text ?? "";
}

/** An SDK v2 client (`@modelcontextprotocol/client`) speaking 2025-11-25, able to sample. */
export async function connectV2Client(url: string, token: string, name: string): Promise<LoadClient> {
  const client = new Client(
    { name, version: "1.0.0" },
    { versionNegotiation: { mode: "legacy" }, capabilities: { sampling: {} } },
  );
  client.setRequestHandler("sampling/createMessage", async (request) => ({
    role: "assistant",
    content: { type: "text", text: samplingAnswer(promptOf(request.params.messages)) },
    model: "load-client",
  }));
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return {
    kind: "sdk-v2 2025-11-25",
    async callTool(tool, args, timeoutMs) {
      const progress: number[] = [];
      const result = await client.callTool(
        { name: tool, arguments: args },
        { timeout: timeoutMs, onprogress: (p) => progress.push(p.progress) },
      );
      return { text: firstText(result), progress };
    },
    async listTools(timeoutMs) {
      const result = await client.listTools(undefined, { timeout: timeoutMs, cacheMode: "bypass" });
      return result.tools.map((tool) => tool.name);
    },
    close: () => client.close(),
  };
}

/**
 * An SDK v1 client (`@modelcontextprotocol/sdk`). v1 always offers its newest version; its
 * transport is wrapped to offer 2025-06-18 in `initialize`, which the gateway accepts.
 */
export async function connectV1Client(url: string, token: string, name: string): Promise<LoadClient> {
  const client = new V1Client({ name, version: "1.0.0" }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
    role: "assistant",
    content: { type: "text", text: samplingAnswer(promptOf(request.params.messages)) },
    model: "load-client",
  }));
  const transport = new V1StreamableHTTP(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage, options) =>
    send(
      "method" in message && message.method === "initialize"
        ? { ...message, params: { ...message.params, protocolVersion: "2025-06-18" } }
        : message,
      options,
    );
  await client.connect(transport);
  return {
    kind: "sdk-v1 2025-06-18",
    async callTool(tool, args, timeoutMs) {
      const progress: number[] = [];
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: timeoutMs,
        onprogress: (p) => progress.push(p.progress),
      });
      return { text: firstText(result), progress };
    },
    async listTools(timeoutMs) {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs });
        names.push(...page.tools.map((tool) => tool.name));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return names;
    },
    close: () => client.close(),
  };
}
