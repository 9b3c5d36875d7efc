import { stopAllProcesses } from "@contextforge/testing";
import {
  Client,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from "@modelcontextprotocol/client";
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

const bearer = (token: string) => ({ requestInit: { headers: { Authorization: `Bearer ${token}` } } });

// `legacy` opens a 2025-11-25 session with initialize; `auto` sends server/discover first and
// speaks 2026-07-28 (stateless, no session) when the server offers it.
const CASES = [
  ["2025-11-25", "streamable HTTP", "legacy", "mcp"],
  ["2026-07-28", "streamable HTTP", "auto", "mcp"],
  ["2025-11-25", "SSE", "legacy", "sse"],
] as const;

function transportFor(kind: "mcp" | "sse", token: string): Transport {
  const url = new URL(gateway.endpoint(kind));
  return kind === "sse"
    ? new SSEClientTransport(url, bearer(token))
    : new StreamableHTTPClientTransport(url, bearer(token));
}

describe(`@modelcontextprotocol/client ${installedVersion("@modelcontextprotocol/client")} (v2)`, () => {
  it.each(CASES)("lists and calls the tools in %s over %s", async (version, _name, mode, kind) => {
    const client = new Client({ name: "sdk-v2", version: "1.0.0" }, { versionNegotiation: { mode } });
    try {
      await client.connect(transportFor(kind, gateway.token));
      expect(client.getNegotiatedProtocolVersion()).toBe(version);
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(gateway.toolCount);
      expect(tools.map((t) => t.name)).toContain(gateway.echoTool);
      const result = await client.callTool({ name: gateway.echoTool, arguments: { message: version } });
      expect(result.content).toEqual([{ type: "text", text: version }]);
    } finally {
      await client.close();
    }
  });

  it.each(CASES)(
    "gets the gateway's 401 for a foreign token in %s over %s",
    async (_version, _name, mode, kind) => {
      const started = performance.now();
      const client = new Client({ name: "sdk-v2", version: "1.0.0" }, { versionNegotiation: { mode } });
      const error = await client.connect(transportFor(kind, gateway.foreignToken)).catch((e: unknown) => e);
      await client.close();
      expect(performance.now() - started).toBeLessThan(5_000);
      if (kind === "sse") {
        // The SSE transport reports the refused event stream as an SseError carrying the status.
        expect(error).toMatchObject({ code: 401 });
      } else {
        expect(error).toBeInstanceOf(SdkHttpError);
        expect((error as SdkHttpError).status).toBe(401);
      }
    },
  );
});
