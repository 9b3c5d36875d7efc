import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import * as z from "zod";

/**
 * A tiny MCP server exposing `--tools K` tools (`<prefix>_tool_000` ...), for the aggregation
 * scenario: 20 of these behind one virtual server make 1,000 tools. Streamable HTTP at `/mcp`,
 * both protocol eras, stateless (the SDK's `createMcpHandler`). Prints
 * `many-tools listening on <url>` when ready; SIGTERM stops it.
 *
 *   node dist/upstream/many-tools-server.js --tools 50 --prefix s01 --port 0
 */
const { values } = parseArgs({
  options: {
    tools: { type: "string", default: "50" },
    prefix: { type: "string", default: "bench" },
    port: { type: "string", default: "0" },
  },
});
const toolCount = Number(values.tools);
const prefix = values.prefix;
const input = z.object({ message: z.string().describe("The text to send back") });

function buildServer(): McpServer {
  const server = new McpServer({ name: `many-tools-${prefix}`, version: "0.0.0" });
  for (let i = 0; i < toolCount; i++) {
    const name = `${prefix}_tool_${String(i).padStart(3, "0")}`;
    server.registerTool(
      name,
      { description: `Benchmark tool ${i} of ${prefix}: returns its message`, inputSchema: input },
      ({ message }) => ({ content: [{ type: "text", text: message }] }),
    );
  }
  return server;
}

const handler = createMcpHandler(() => buildServer());
const handle = toNodeHandler(handler);
const http = createServer((req, res) => {
  void handle(req as Parameters<typeof handle>[0], res);
});
http.listen(Number(values.port), "127.0.0.1", () => {
  const { port } = http.address() as AddressInfo;
  process.stderr.write(`many-tools listening on http://127.0.0.1:${port}/mcp\n`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    http.closeAllConnections();
    http.close(() => process.exit(0));
  });
}
