import { createMCPClient, type MCPClient } from "@ai-sdk/mcp";
import { stopAllProcesses } from "@contextforge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayUnderTest, installedVersion, startGatewayUnderTest } from "../src/index.js";

let gateway: GatewayUnderTest;
beforeAll(async () => {
  gateway = await startGatewayUnderTest();
});
afterAll(async () => {
  await gateway?.close();
  await stopAllProcesses();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

// The Vercel AI SDK's client sends `server/discover` first (2026-07-28) and falls back to the
// 2025 `initialize` handshake; `protocolVersionDiscovery: false` goes straight to the handshake.
const CASES = [
  ["streamable HTTP, discovery first", "http", "mcp", true, "2026-07-28"],
  ["streamable HTTP, protocolVersionDiscovery: false", "http", "mcp", false, "2025-11-25"],
  ["SSE", "sse", "sse", true, "2025-11-25"],
] as const;

async function connect(
  type: "http" | "sse",
  kind: "mcp" | "sse",
  token: string,
  protocolVersionDiscovery: boolean,
): Promise<MCPClient> {
  return (await createMCPClient({
    transport: { type, url: gateway.endpoint(kind), headers: bearer(token) },
    protocolVersionDiscovery,
  })) as MCPClient;
}

describe(`@ai-sdk/mcp ${installedVersion("@ai-sdk/mcp")}`, () => {
  it.each(CASES)("lists and calls the tools over %s", async (_name, type, kind, discovery, version) => {
    const client = await connect(type, kind, gateway.token, discovery);
    try {
      expect(client.initializeResult.protocolVersion).toBe(version);
      // tools() is what an app hands to generateText/streamText.
      const tools = await client.tools();
      expect(Object.keys(tools)).toHaveLength(gateway.toolCount);
      const echo = tools[gateway.echoTool];
      expect(echo?.description).toBe("Returns the message it is given as text content");
      // What generateText runs when the model calls the tool.
      const output = await echo?.execute?.(
        { message: version },
        { toolCallId: "call-1", messages: [], context: undefined },
      );
      expect(output).toMatchObject({ content: [{ type: "text", text: version }], isError: false });
    } finally {
      await client.close();
    }
  });

  it.each(CASES)(
    "reports the gateway's 401 for a foreign token over %s",
    async (_name, type, kind, discovery) => {
      const started = performance.now();
      const attempt = connect(type, kind, gateway.foreignToken, discovery);
      await expect(attempt).rejects.toThrow(/401/);
      expect(performance.now() - started).toBeLessThan(5_000);
    },
  );
});
