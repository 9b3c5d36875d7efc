import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import type { Client as V2Client } from "@modelcontextprotocol/client";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport as V1StreamableHTTP } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { everythingStdioArgs } from "../support/stdio-processes.js";
import { startWebSocketUpstream } from "../upstream/websocket-upstream-process.js";
import { connectClient } from "./mcp-client.js";

// Every downstream client and transport against every upstream transport: list, call, progress in
// order, and a sampling request from the upstream answered by the client that made the call.

const require = createRequire(import.meta.url);
const SECRET = "transport-matrix-secret-transport-matrix-secret";
const marker = `cf-matrix-${randomUUID()}`;
const EVERYTHING = join(
  dirname(require.resolve("@contextforge/server-everything/package.json")),
  "dist",
  "cli.js",
);
const TRANSLATE = join(dirname(require.resolve("@contextforge/translate/package.json")), "dist", "cli.js");

const UPSTREAMS = ["http", "sse", "ws", "stdio"] as const;
type Upstream = (typeof UPSTREAMS)[number];
const DOWNSTREAMS = ["v2 streamable 2025", "v2 streamable 2026", "v1 streamable", "v1 sse", "v1 ws"] as const;
type Downstream = (typeof DOWNSTREAMS)[number];

/** The few calls every client kind offers, behind one face. */
interface MatrixClient {
  listTools(): Promise<string[]>;
  call(
    name: string,
    args: Record<string, unknown>,
    onProgress?: (progress: number) => void,
  ): Promise<unknown>;
  close(): Promise<void>;
}

let gateway: Gateway;
let base: string;
let token: string;
const servers = new Map<Upstream, string>();
const opened: MatrixClient[] = [];

async function registerUpstream(slug: Upstream, body: Record<string, unknown>): Promise<void> {
  const created = await gateway.registry.gateways.create(
    { name: slug, tags: [], ...body } as never,
    "admin@example.com",
  );
  const tools = await gateway.registry.tools.list({
    includeInactive: false,
    tags: [],
    limit: 500,
    cursor: undefined,
    includePagination: false,
    gatewayId: created.id,
    teamId: undefined,
    visibility: undefined,
  });
  const pick = (name: string): string => {
    const found = tools.items.find((t) => t.name === `${slug}-${name}`);
    if (!found) throw new Error(`no ${slug}-${name} in ${tools.items.map((t) => t.name).join(", ")}`);
    return found.id;
  };
  const server = await gateway.registry.servers.create(
    {
      name: `via-${slug}`,
      tags: [],
      associated_tools: [pick("echo"), pick("slow"), pick(SAMPLING_TOOL[slug].name)],
      associated_resources: [],
      associated_prompts: [],
      associated_a2a_agents: [],
    },
    "admin@example.com",
  );
  servers.set(slug, server.id);
}

beforeAll(async () => {
  const httpPort = await getFreePort();
  await startProcess(process.execPath, [EVERYTHING, "--transport", "http", "--port", String(httpPort)], {
    readyPattern: /listening on/,
  });
  const ssePort = await getFreePort();
  const stdio = `${process.execPath} --disable-warning=${marker} "${EVERYTHING}" --transport stdio`;
  await startProcess(
    process.execPath,
    [TRANSLATE, "--stdio", stdio, "--port", String(ssePort), "--expose-sse"],
    {
      readyPattern: /on SSE http/,
    },
  );
  const ws = await startWebSocketUpstream(marker);

  gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      AUTH_ENCRYPTION_SECRET: SECRET,
      ARGON2ID_MEMORY_COST: "8192",
      ARGON2ID_TIME_COST: "1",
    }),
  });
  base = (await gateway.start()).url;
  token = await gateway.mintToken("admin@example.com", 30);
  await registerUpstream("http", { url: `http://127.0.0.1:${httpPort}/mcp`, transport: "STREAMABLEHTTP" });
  await registerUpstream("sse", { url: `http://127.0.0.1:${ssePort}/sse`, transport: "SSE" });
  await registerUpstream("ws", { url: ws.url, transport: "WEBSOCKET" });
  await registerUpstream("stdio", {
    transport: "STDIO",
    command: process.execPath,
    args: everythingStdioArgs(marker),
  });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(opened.map((c) => c.close()));
  await gateway?.stop();
  await stopAllProcesses();
});

const SAMPLED = "sampled by this client";

/**
 * The tool that asks the client's LLM: a 2025 session's upstream sends `sampling/createMessage`
 * (SSE and WebSocket speak the 2025 handshake); a 2026-07-28 upstream (HTTP, stdio) returns an
 * input-required result the gateway fulfils from the client. Either way the client answers.
 */
const SAMPLING_TOOL: Record<Upstream, { name: string; answer: string }> = {
  http: { name: "test-input-required-result-sampling", answer: `Sampling response: ${SAMPLED}` },
  stdio: { name: "test-input-required-result-sampling", answer: `Sampling response: ${SAMPLED}` },
  sse: { name: "test-sampling", answer: `LLM response: ${SAMPLED}` },
  ws: { name: "test-sampling", answer: `LLM response: ${SAMPLED}` },
};

function v1Face(client: V1Client): MatrixClient {
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: "assistant",
    content: { type: "text", text: SAMPLED },
    model: "test",
  }));
  return {
    listTools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: (name, args, onProgress) =>
      client.callTool(
        { name, arguments: args },
        undefined,
        onProgress ? { onprogress: (p) => onProgress(p.progress) } : {},
      ),
    close: () => client.close(),
  };
}

async function open(kind: Downstream, serverId: string): Promise<MatrixClient> {
  const path = `/servers/${serverId}`;
  let face: MatrixClient;
  if (kind.startsWith("v2")) {
    const client: V2Client = await connectClient(
      `${base}${path}/mcp`,
      token,
      kind.endsWith("2026") ? "2026" : "2025",
      {
        sampling: {},
      },
    );
    client.setRequestHandler("sampling/createMessage", async () => ({
      role: "assistant",
      content: { type: "text", text: SAMPLED },
      model: "test",
    }));
    face = {
      listTools: async () => (await client.listTools()).tools.map((t) => t.name),
      call: (name, args, onProgress) =>
        client.callTool(
          { name, arguments: args },
          onProgress ? { onprogress: (p) => onProgress(p.progress) } : {},
        ),
      close: () => client.close(),
    };
  } else {
    const client = new V1Client({ name: `matrix-${kind}`, version: "1" }, { capabilities: { sampling: {} } });
    face = v1Face(client);
    const headers = { authorization: `Bearer ${token}` };
    const transport =
      kind === "v1 streamable"
        ? new V1StreamableHTTP(new URL(`${base}${path}/mcp`), { requestInit: { headers } })
        : kind === "v1 sse"
          ? new SSEClientTransport(new URL(`${base}${path}/sse`), { requestInit: { headers } })
          : new WebSocketClientTransport(new URL(`${base.replace(/^http/, "ws")}${path}/ws?token=${token}`));
    await client.connect(transport);
  }
  opened.push(face);
  return face;
}

describe.each(UPSTREAMS)("upstream over %s", (upstream) => {
  describe.each(DOWNSTREAMS)("client %s", (downstream) => {
    it("lists and calls, relays progress in order, and routes sampling back to the caller", async () => {
      const client = await open(downstream, servers.get(upstream) ?? "");
      expect((await client.listTools()).sort()).toEqual(
        [`${upstream}-echo`, `${upstream}-slow`, `${upstream}-${SAMPLING_TOOL[upstream].name}`].sort(),
      );
      expect(await client.call(`${upstream}-echo`, { message: downstream })).toMatchObject({
        content: [{ type: "text", text: downstream }],
      });
      const progress: number[] = [];
      await client.call(`${upstream}-slow`, { steps: 3, stepMs: 20 }, (p) => progress.push(p));
      // SDK clients run notification handlers a tick after the frame: the last progress of a
      // call may land after its result. What arrives must be in order.
      expect(progress.length).toBeGreaterThan(0);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
      expect(
        await client.call(`${upstream}-${SAMPLING_TOOL[upstream].name}`, { prompt: "hello" }),
      ).toMatchObject({
        content: [{ type: "text", text: SAMPLING_TOOL[upstream].answer }],
      });
    });
  });
});
