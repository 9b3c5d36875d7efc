import { join } from "node:path";
import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, type GatewayUnderTest, installedVersion, startGatewayUnderTest } from "../src/index.js";

// The MCP Inspector's CLI mode, run as `npx @modelcontextprotocol/inspector --cli <url> ...` is.
const INSPECTOR = binPath("@modelcontextprotocol/inspector", "mcp-inspector");

interface InspectorRun {
  readonly code: number | string;
  readonly result: Record<string, unknown> | undefined;
  readonly error: { code: string; message: string } | undefined;
  readonly ms: number;
}

let gateway: GatewayUnderTest;
beforeAll(async () => {
  gateway = await startGatewayUnderTest();
});
afterAll(async () => {
  await gateway?.close();
  await stopAllProcesses();
});

async function inspector(url: string, token: string, args: readonly string[]): Promise<InspectorRun> {
  const started = performance.now();
  const run = await startProcess(
    process.execPath,
    [INSPECTOR, "--cli", url, ...args, "--header", `Authorization: Bearer ${token}`, "--format", "json"],
    {
      cwd: gateway.scratchDir,
      // Its catalog and client config default to ~/.mcp-inspector: keep them in the scratch dir.
      env: {
        MCP_CATALOG_PATH: join(gateway.scratchDir, "inspector-catalog.json"),
        MCP_CLIENT_CONFIG_PATH: join(gateway.scratchDir, "inspector-client.json"),
      },
    },
  );
  // A hang fails the test with the signal as exit code, not at the test's timeout.
  const timer = setTimeout(() => void run.stop(), 20_000);
  const code = await run.exited();
  clearTimeout(timer);
  const { stdout, stderr } = run.output();
  const parse = (text: string): { result?: Record<string, unknown>; error?: InspectorRun["error"] } => {
    const line = text.split("\n").find((l) => l.startsWith("{"));
    return line === undefined ? {} : (JSON.parse(line) as ReturnType<typeof parse>);
  };
  return {
    code,
    result: parse(stdout).result,
    error: parse(stderr).error ?? parse(stdout).error,
    ms: performance.now() - started,
  };
}

const listArgs = ["--method", "tools/list"];
const echoArgs = (message: string) => [
  "--method",
  "tools/call",
  "--tool-name",
  gateway.echoTool,
  "--tool-arg",
  `message=${message}`,
];

describe(`MCP Inspector CLI ${installedVersion("@modelcontextprotocol/inspector")}`, () => {
  it.each([
    ["streamable HTTP", "mcp", ["--transport", "http"]],
    ["SSE", "sse", ["--transport", "sse"]],
  ] as const)(
    "lists and calls the virtual server's tools over %s with a bearer token",
    async (_name, kind, transport) => {
      const list = await inspector(gateway.endpoint(kind), gateway.token, [...transport, ...listArgs]);
      expect(list.code, JSON.stringify(list.error)).toBe(0);
      const tools = (list.result?.tools ?? []) as { name: string }[];
      expect(tools).toHaveLength(gateway.toolCount);
      expect(tools.map((t) => t.name)).toContain(gateway.echoTool);

      const call = await inspector(gateway.endpoint(kind), gateway.token, [
        ...transport,
        ...echoArgs(`via ${kind}`),
      ]);
      expect(call.code).toBe(0);
      expect(call.result?.content).toEqual([{ type: "text", text: `via ${kind}` }]);
    },
  );

  it("speaks 2026-07-28 with --protocol-era modern", async () => {
    const args = ["--transport", "http", "--protocol-era", "modern"];
    const list = await inspector(gateway.endpoint("mcp"), gateway.token, [...args, ...listArgs]);
    expect(list.code, JSON.stringify(list.error)).toBe(0);
    expect(list.result?.tools).toHaveLength(gateway.toolCount);

    const call = await inspector(gateway.endpoint("mcp"), gateway.token, [...args, ...echoArgs("modern")]);
    expect(call.code).toBe(0);
    expect(call.result?.content).toEqual([{ type: "text", text: "modern" }]);
    // Only a 2026-07-28 result carries the server's identity in _meta (there is no initialize).
    expect(call.result?._meta).toMatchObject({
      "io.modelcontextprotocol/serverInfo": { name: "contextforge-gateway" },
    });
  });

  it.each([
    ["streamable HTTP", "mcp", ["--transport", "http"]],
    ["streamable HTTP, 2026-07-28", "mcp", ["--transport", "http", "--protocol-era", "modern"]],
    ["SSE", "sse", ["--transport", "sse"]],
  ] as const)("fails fast with auth_required for a foreign token over %s", async (_name, kind, transport) => {
    // --stored-auth-only is the Inspector's flag for CI: never start an interactive OAuth login.
    const run = await inspector(gateway.endpoint(kind), gateway.foreignToken, [
      ...transport,
      ...listArgs,
      "--stored-auth-only",
    ]);
    expect(run.code).toBe(3);
    expect(run.error?.code).toBe("auth_required");
    expect(run.ms).toBeLessThan(10_000);
  });
});
