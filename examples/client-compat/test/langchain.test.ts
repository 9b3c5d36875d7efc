import { stopAllProcesses } from "@contextforge/testing";
import { MultiServerMCPClient } from "@langchain/mcp-adapters";
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

// LangChain's adapters wrap the SDK v1 client: "http" is streamable HTTP (falling back to SSE on
// a 404), "sse" the legacy transport only.
const CASES = [
  ["streamable HTTP", "http", "mcp"],
  ["SSE", "sse", "sse"],
] as const;

function clientFor(transport: "http" | "sse", kind: "mcp" | "sse", token: string): MultiServerMCPClient {
  return new MultiServerMCPClient({
    mcpServers: {
      gateway: { transport, url: gateway.endpoint(kind), headers: { Authorization: `Bearer ${token}` } },
    },
  });
}

describe(`@langchain/mcp-adapters ${installedVersion("@langchain/mcp-adapters")}`, () => {
  it.each(CASES)("loads the tools and invokes one over %s", async (_name, transport, kind) => {
    const client = clientFor(transport, kind, gateway.token);
    try {
      // getTools() gives LangChain StructuredTools, what an agent is built with.
      const tools = await client.getTools();
      expect(tools).toHaveLength(gateway.toolCount);
      const echo = tools.find((t) => t.name === gateway.echoTool);
      expect(await echo?.invoke({ message: `langchain ${kind}` })).toBe(`langchain ${kind}`);
    } finally {
      await client.close();
    }
  });

  it.each(CASES)(
    "reports an authentication failure for a foreign token over %s",
    async (_name, transport, kind) => {
      const started = performance.now();
      const client = clientFor(transport, kind, gateway.foreignToken);
      await expect(client.getTools()).rejects.toThrow(/Authentication failed/);
      expect(performance.now() - started).toBeLessThan(5_000);
      await client.close();
    },
  );
});
