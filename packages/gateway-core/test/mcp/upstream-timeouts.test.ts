import { stopAllProcesses } from "@contextforge/testing";
import { Client, ProtocolError, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { startSampleServer } from "../upstream/sample-server-process.js";

// Per-gateway `timeout_seconds`, and the deadline stopping while the client answers the upstream.
// One 2025-only upstream registered twice: "quick" (timeout_seconds 1) and "patient" (TOOL_TIMEOUT).

let gateway: Gateway;
let base: string;
let token: string;
const clients: Client[] = [];

beforeAll(async () => {
  const upstream = await startSampleServer("@contextforge/server-everything", ["--legacy-only"]);
  gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: "timeouts-secret-timeouts-secret-timeouts",
      AUTH_ENCRYPTION_SECRET: "timeouts-secret-timeouts-secret-timeouts",
    }),
  });
  base = (await gateway.start()).url;
  token = await gateway.mintToken("alice@example.com", 30);
  const quick = await gateway.registry.gateways.create({
    name: "quick",
    url: upstream.url,
    transport: "STREAMABLEHTTP",
    timeout_seconds: 1,
    tags: [],
  });
  expect(quick.timeoutSeconds).toBe(1);
  await gateway.registry.gateways.create({
    name: "patient",
    url: upstream.url,
    transport: "STREAMABLEHTTP",
    tags: [],
  });
}, 30_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await gateway?.stop();
  await stopAllProcesses();
});

/** A client of `/mcp` whose sampling handler answers after `answerAfterMs`. */
async function connect(era: "2025" | "2026", answerAfterMs = 0): Promise<Client> {
  const client = new Client(
    { name: `timeouts-${era}`, version: "1.0.0" },
    { versionNegotiation: { mode: era === "2026" ? "auto" : "legacy" }, capabilities: { sampling: {} } },
  );
  client.setRequestHandler("sampling/createMessage", async () => {
    await new Promise((resolve) => setTimeout(resolve, answerAfterMs));
    return { role: "assistant", model: "test", content: { type: "text", text: "Paris" } };
  });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

const textOf = (result: Record<string, unknown>): string =>
  (result.content as { text?: string }[] | undefined)?.[0]?.text ?? "";

describe.each(["2025", "2026"] as const)(
  "call deadlines through the gateway, %s client",
  { timeout: 20_000 },
  (era) => {
    it("fails a call past the gateway's timeout_seconds with a JSON-RPC error naming the deadline", async () => {
      const client = await connect(era);
      // One step: no progress notification restarts the deadline on the way.
      const error = await client
        .callTool({ name: "quick-slow", arguments: { steps: 1, stepMs: 1_800 } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ code: -32603, data: { upstream: "timeout" } });
      expect((error as ProtocolError).message).toMatch(/did not answer tools\/call within 1000 ms/);
    });

    it("lets the same call finish on a gateway without timeout_seconds (TOOL_TIMEOUT, 60 s)", async () => {
      const client = await connect(era);
      const result = await client.callTool({ name: "patient-slow", arguments: { steps: 1, stepMs: 1_800 } });
      expect(textOf(result)).toBe("completed 1 steps");
    });

    it("does not count the time the client takes to answer the upstream's sampling request", async () => {
      const client = await connect(era, 2_000);
      const result = await client.callTool({
        name: "quick-test-sampling",
        arguments: { prompt: "Capital?" },
      });
      expect(textOf(result)).toBe("LLM response: Paris");
    });
  },
);
