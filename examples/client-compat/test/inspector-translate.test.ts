import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getFreePort, type ManagedProcess, startProcess, stopAllProcesses } from "@contextforge/testing";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, installedVersion } from "../src/index.js";

// A stdio server put on the network by `mcptranslate`, listed by the MCP Inspector's CLI over
// streamable HTTP and SSE as a new user would (`npx @modelcontextprotocol/inspector --cli`). The
// Inspector has no WebSocket transport: the SDK v1's WebSocket client lists it over /ws.

const INSPECTOR = binPath("@modelcontextprotocol/inspector", "mcp-inspector");
const TRANSLATE = binPath("@contextforge/translate", "mcptranslate");
const EVERYTHING = binPath("@contextforge/server-everything", "mcp-sample-everything");

let translate: ManagedProcess;
let base: string;
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "cf-inspector-translate-"));
  const port = await getFreePort();
  translate = await startProcess(
    process.execPath,
    [
      TRANSLATE,
      "--stdio",
      `'${process.execPath}' '${EVERYTHING}'`,
      "--expose-sse",
      "--expose-streamable-http",
      "--expose-ws",
      "--port",
      String(port),
    ],
    { readyPattern: /on (?:SSE|streamable HTTP|WebSocket) /, readyTimeoutMs: 30_000 },
  );
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await translate?.stop();
  await stopAllProcesses();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function inspectorToolNames(url: string, transport: "http" | "sse"): Promise<string[]> {
  const run = await startProcess(
    process.execPath,
    [INSPECTOR, "--cli", url, "--transport", transport, "--method", "tools/list", "--format", "json"],
    {
      cwd: scratch,
      env: {
        MCP_CATALOG_PATH: join(scratch, "inspector-catalog.json"),
        MCP_CLIENT_CONFIG_PATH: join(scratch, "inspector-client.json"),
      },
    },
  );
  const timer = setTimeout(() => void run.stop(), 20_000);
  const code = await run.exited();
  clearTimeout(timer);
  const { stdout, stderr } = run.output();
  expect(code, stderr).toBe(0);
  const line = stdout.split("\n").find((l) => l.startsWith("{")) ?? "{}";
  const tools = ((JSON.parse(line) as { result?: { tools?: { name: string }[] } }).result?.tools ?? []).map(
    (tool) => tool.name,
  );
  return tools;
}

describe(`mcptranslate --stdio, listed by the MCP Inspector CLI ${installedVersion("@modelcontextprotocol/inspector")}`, () => {
  it.each([
    ["streamable HTTP", "/mcp", "http"],
    ["SSE", "/sse", "sse"],
  ] as const)("lists the stdio server's tools over %s", async (_name, path, transport) => {
    const tools = await inspectorToolNames(`${base}${path}`, transport);
    expect(tools).toContain("echo");
    expect(tools.length).toBeGreaterThan(10);
  });

  it("lists the same tools over WebSocket (SDK v1 client; the Inspector has no WebSocket transport)", async () => {
    const client = new V1Client({ name: "ws-lister", version: "1.0.0" });
    await client.connect(new WebSocketClientTransport(new URL(`${base.replace(/^http/, "ws")}/ws`)));
    try {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor });
        names.push(...page.tools.map((tool) => tool.name));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(names).toEqual(await inspectorToolNames(`${base}/mcp`, "http"));
    } finally {
      await client.close();
    }
  });
});
