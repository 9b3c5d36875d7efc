import { getFreePort, type ManagedProcess, startProcess, stopAllProcesses } from "@contextforge/testing";
import { ServerCredentials } from "@grpc/grpc-js";
import { type Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GrpcTranslateHandle, startGrpcTranslate } from "../src/grpc/index.js";
import { type InventoryServer, startInventoryServer } from "./fixtures/inventory-server.js";
import { makeTestCertificates, type TestCertificates } from "./fixtures/test-certificates.js";
import { CLI, eventually, firstText, legacyClient } from "./helpers.js";

const PROTO_FILE = new URL("./fixtures/inventory.proto", import.meta.url).pathname;
const READY = /on streamable HTTP (http:\/\/\S+)/;

let grpc: InventoryServer | undefined;
const clients: (Client | ClientV1)[] = [];

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  await stopAllProcesses();
  await grpc?.close();
  grpc = undefined;
});

/** `mcptranslate --grpc 127.0.0.1:<port> --expose-streamable-http --port <free>` plus `extra`. */
async function startBridge(
  grpcPort: number,
  extra: readonly string[] = [],
): Promise<{ process: ManagedProcess; url: string; port: number }> {
  const port = await getFreePort();
  const bridge = await startProcess(
    process.execPath,
    [CLI, "--grpc", `127.0.0.1:${grpcPort}`, "--expose-streamable-http", "--port", String(port), ...extra],
    { readyPattern: READY },
  );
  const [, url] = (await bridge.waitForOutput(READY)) as unknown as [string, string];
  return { process: bridge, url, port };
}

async function connect(url: string): Promise<Client> {
  const client = legacyClient("grpc-test");
  clients.push(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

interface ToolResult {
  readonly isError?: boolean;
  readonly structuredContent?: Record<string, unknown>;
  readonly content: { type: string; text?: string }[];
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

describe("mcptranslate --grpc", () => {
  it("lists one tool per unary method, with input schemas from the request messages", async () => {
    grpc = await startInventoryServer();
    const bridge = await startBridge(grpc.port);
    const client = await connect(bridge.url);
    const { tools } = await client.listTools();

    expect(tools.map((tool) => tool.name)).toEqual([
      "Inventory.PutItem",
      "Inventory.Fail",
      "Inventory.WhoAmI",
      "Inventory.Sleep",
    ]);
    expect(bridge.process.output().stderr).toContain(
      "skipping contextforge.test.inventory.Inventory/WatchItems: server-streaming methods cannot be tools",
    );
    const putItem = tools[0];
    expect(putItem?.description).toContain("contextforge.test.inventory.Inventory/PutItem");
    const schema = putItem?.inputSchema as Record<string, unknown>;
    expect(schema).toMatchObject({
      type: "object",
      properties: {
        item: {
          type: "object",
          properties: {
            name: { type: "string" },
            serial: { type: ["string", "integer"], pattern: "^-?[0-9]+$" },
            color: { type: "string", enum: ["COLOR_UNSPECIFIED", "RED", "GREEN"] },
            tags: { type: "array", items: { type: "string" } },
            stock: { type: "object", additionalProperties: { type: "integer" } },
            dimensions: {
              type: "object",
              properties: { widthCm: { type: "number" }, heightCm: { type: "number" } },
            },
            parts: { type: "array", items: { type: "object", properties: { widthCm: { type: "number" } } } },
            weightMg: { type: ["string", "integer"], pattern: "^[0-9]+$" },
            checksum: { type: "string", contentEncoding: "base64" },
            fragile: { type: "boolean" },
            addedAt: { type: "string", format: "date-time" },
            country: { type: "string", description: "One of origin: set at most one of country, factoryId." },
            factoryId: { type: "integer" },
            note: { type: "string" },
          },
        },
        boxes: { type: "object", additionalProperties: { type: "object", properties: { heightCm: {} } } },
        // A recursive message: inlined once, then referenced.
        category: {
          type: "object",
          properties: {
            name: { type: "string" },
            children: { type: "array", items: { $ref: "#/$defs/contextforge.test.inventory.Category" } },
            parent: { $ref: "#/$defs/contextforge.test.inventory.Category" },
          },
        },
      },
      $defs: {
        "contextforge.test.inventory.Category": {
          type: "object",
          properties: { parent: { $ref: "#/$defs/contextforge.test.inventory.Category" } },
        },
      },
    });
    expect(putItem?.outputSchema).toMatchObject({
      type: "object",
      properties: { totalStock: { type: "string" }, colorsSeen: { type: "array" } },
    });
    expect(tools[2]?.inputSchema).toEqual({ type: "object", properties: {} });
  });

  it("round-trips int64, enums, nested and repeated messages, maps and well-known types", async () => {
    grpc = await startInventoryServer();
    const bridge = await startBridge(grpc.port);
    const client = await connect(bridge.url);
    const result = await call(client, "Inventory.PutItem", {
      item: {
        name: "bolt",
        serial: "9007199254740993", // 2^53 + 1: survives only as a string
        color: "RED",
        tags: ["steel", "m8"],
        stock: { warsaw: 2, lyon: 3 },
        dimensions: { widthCm: 1.5 },
        parts: [{ widthCm: 0.5, heightCm: 2 }],
        weight_mg: 12, // a .proto field name, and an int64 given as a number
        checksum: "AQID",
        addedAt: "2026-01-02T03:04:05Z",
        factoryId: 7,
      },
      category: { name: "m8", parent: { name: "bolts", parent: { name: "hardware" } } },
      boxes: { small: { widthCm: 10 } },
    });

    expect(result.isError).toBeUndefined();
    const expected = {
      item: {
        name: "bolt",
        serial: "9007199254740993",
        color: "RED",
        tags: ["steel", "m8"],
        stock: { warsaw: 2, lyon: 3 },
        // Fields without presence are printed even at their default.
        dimensions: { widthCm: 1.5, heightCm: 0 },
        parts: [{ widthCm: 0.5, heightCm: 2 }],
        weightMg: "12",
        checksum: "AQID",
        fragile: false,
        addedAt: "2026-01-02T03:04:05Z",
        factoryId: 7,
      },
      totalStock: "5",
      colorsSeen: ["RED", "GREEN"],
      categoryPath: "hardware/bolts/m8",
    };
    expect(result.structuredContent).toEqual(expected);
    expect(JSON.parse(firstText(result))).toEqual(expected);
  });

  it("answers a gRPC error with isError naming the status code and details", async () => {
    grpc = await startInventoryServer();
    const bridge = await startBridge(grpc.port);
    const client = await connect(bridge.url);
    const result = await call(client, "Inventory.Fail", { code: 5, message: "no item named bolt" });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toBe("gRPC NOT_FOUND (5): no item named bolt");
    const denied = await call(client, "Inventory.Fail", { code: 7, message: "not yours" });
    expect(firstText(denied)).toBe("gRPC PERMISSION_DENIED (7): not yours");
    // The bridge is still there.
    expect((await call(client, "Inventory.WhoAmI", {})).isError).toBeUndefined();
  });

  it("answers arguments that do not fit the request message with isError, without calling", async () => {
    grpc = await startInventoryServer();
    const bridge = await startBridge(grpc.port);
    const client = await connect(bridge.url);
    const unknown = await call(client, "Inventory.PutItem", { item: { colour: "RED" } });
    expect(unknown.isError).toBe(true);
    expect(firstText(unknown)).toContain(
      'invalid arguments for Inventory.PutItem: .contextforge.test.inventory.Item: unknown field: "colour"',
    );
    const badEnum = await call(client, "Inventory.PutItem", { item: { color: "BLUE" } });
    expect(firstText(badEnum)).toContain('unknown enum value: "BLUE"');
    const badInt = await call(client, "Inventory.PutItem", { item: { serial: "12abc" } });
    expect(firstText(badInt)).toContain('invalid integer: "12abc"');
    expect(grpc.calls.filter((call) => call.path.endsWith("/PutItem"))).toEqual([]);
    await expect(client.callTool({ name: "Inventory.Nope", arguments: {} })).rejects.toThrow("Unknown tool");
  });

  it("--grpc-timeout: a call past its deadline is DEADLINE_EXCEEDED", async () => {
    grpc = await startInventoryServer();
    const bridge = await startBridge(grpc.port, ["--grpc-timeout", "0.3"]);
    const client = await connect(bridge.url);
    expect((await call(client, "Inventory.Sleep", { ms: 10 })).structuredContent).toEqual({ sleptMs: 10 });
    const late = await call(client, "Inventory.Sleep", { ms: 5_000 });
    expect(late.isError).toBe(true);
    expect(firstText(late)).toMatch(/^gRPC DEADLINE_EXCEEDED \(4\): /);
  });

  it("cancels the gRPC call when the MCP request is cancelled", async () => {
    grpc = await startInventoryServer();
    const bridge = await startBridge(grpc.port);
    const client = await connect(bridge.url);
    const abort = new AbortController();
    const sleeping = client.callTool(
      { name: "Inventory.Sleep", arguments: { ms: 10_000 } },
      { signal: abort.signal },
    );
    await eventually(() => expect(grpc?.calls.some((c) => c.path.endsWith("/Sleep"))).toBe(true));
    abort.abort();
    await expect(sleeping).rejects.toThrow();
    await eventually(() => expect(grpc?.cancelledSleeps).toBe(1));
  });

  it("sends --grpc-metadata with every call and with the reflection calls", async () => {
    grpc = await startInventoryServer();
    const bridge = await startBridge(grpc.port, [
      "--grpc-metadata",
      "X-Tenant=acme",
      "--grpc-metadata",
      "authorization=Bearer s3cret",
      "--grpc-metadata",
      "trace-bin=AQID",
    ]);
    const client = await connect(bridge.url);
    const result = await call(client, "Inventory.WhoAmI", {});
    expect(result.structuredContent).toMatchObject({
      metadata: { "x-tenant": "acme", authorization: "Bearer s3cret" },
    });
    const reflection = grpc.calls.filter((call) => call.path.startsWith("/grpc.reflection."));
    expect(reflection.length).toBeGreaterThan(0);
    for (const { metadata } of grpc.calls) {
      expect(metadata).toMatchObject({ "x-tenant": "acme", authorization: "Bearer s3cret" });
      expect(metadata["trace-bin"]).toBe(Buffer.from([1, 2, 3]).toString());
    }
    expect(bridge.process.output().stderr).not.toContain("s3cret");
  });

  it("is exposed over SSE and WebSocket too, answers /healthz, and exits 0 on SIGTERM", async () => {
    grpc = await startInventoryServer();
    const port = await getFreePort();
    const bridge = await startProcess(
      process.execPath,
      [CLI, "--grpc", `127.0.0.1:${grpc.port}`, "--port", String(port), "--expose-sse", "--expose-ws"],
      { readyPattern: /serving gRPC .* on SSE/ },
    );
    const base = `http://127.0.0.1:${port}`;
    const sse = new ClientV1({ name: "grpc-sse", version: "1.0.0" });
    clients.push(sse);
    await sse.connect(new SSEClientTransport(new URL(`${base}/sse`)));
    const ws = new ClientV1({ name: "grpc-ws", version: "1.0.0" });
    clients.push(ws);
    await ws.connect(new WebSocketClientTransport(new URL(`ws://127.0.0.1:${port}/ws`)));
    const overSse = await sse.callTool({ name: "Inventory.Fail", arguments: { code: 3, message: "sse" } });
    expect(firstText(overSse)).toBe("gRPC INVALID_ARGUMENT (3): sse");
    const overWs = await ws.callTool({ name: "Inventory.PutItem", arguments: { item: { serial: -5 } } });
    expect((overWs.structuredContent as { item: { serial: string } }).item.serial).toBe("-5");
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok", sessions: 2, tools: 4 });

    bridge.child.kill("SIGTERM");
    expect(await bridge.exited()).toBe(0);
    expect(bridge.output().stdout).toBe("");
  });

  it("falls back to reflection v1alpha when the server does not implement v1", async () => {
    grpc = await startInventoryServer({ reflection: "v1alpha" });
    const bridge = await startBridge(grpc.port, ["--logLevel", "debug"]);
    const client = await connect(bridge.url);
    expect((await client.listTools()).tools).toHaveLength(4);
    expect(bridge.process.output().stderr).toContain(
      "reflection v1alpha: services contextforge.test.inventory.Inventory",
    );
    expect(grpc.calls.map((call) => call.path)).toContain(
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    );
  });

  it("exits 1 with a clear message when the server offers no reflection", async () => {
    grpc = await startInventoryServer({ reflection: false });
    const bridge = await startProcess(process.execPath, [
      CLI,
      "--grpc",
      `127.0.0.1:${grpc.port}`,
      "--port",
      "0",
    ]);
    expect(await bridge.exited()).toBe(1);
    expect(bridge.output().stderr).toContain(
      `mcptranslate: cannot discover the services of the gRPC server 127.0.0.1:${grpc.port}: the server does not offer gRPC server reflection (grpc.reflection.v1 and v1alpha: UNIMPLEMENTED)`,
    );
  });

  it("exits 1 with a clear message when the server cannot be reached", async () => {
    const port = await getFreePort();
    const bridge = await startProcess(process.execPath, [CLI, "--grpc", `127.0.0.1:${port}`, "--port", "0"]);
    expect(await bridge.exited()).toBe(1);
    expect(bridge.output().stderr).toContain(
      `mcptranslate: cannot discover the services of the gRPC server 127.0.0.1:${port}: UNAVAILABLE`,
    );
  });

  it.each([
    [["--grpc", "localhost"], '--grpc expects HOST:PORT (got "localhost")'],
    [["--grpc", "127.0.0.1:70000"], '--grpc expects HOST:PORT (got "127.0.0.1:70000")'],
    [["--grpc", "http://127.0.0.1:50051"], "--grpc expects HOST:PORT"],
    [["--grpc", "127.0.0.1:1", "--stdio", "node x.js"], "give one of --stdio, --connect-sse"],
    [["--grpc", "127.0.0.1:1", "--connect-ws", "ws://x/ws"], "give one of --stdio, --connect-sse"],
    [["--stdio", "node x.js", "--grpc-tls"], "--grpc-tls applies to --grpc only"],
    [["--connect-sse", "http://x/sse", "--grpc-metadata", "a=b"], "--grpc-metadata applies to --grpc only"],
    [["--grpc", "127.0.0.1:1", "--grpc-timeout", "0"], "--grpc-timeout expects a number of seconds > 0"],
    [["--grpc", "127.0.0.1:1", "--grpc-timeout", "soon"], "--grpc-timeout expects a number of seconds > 0"],
    [
      ["--grpc", "127.0.0.1:1", "--grpc-metadata", "novalue"],
      '--grpc-metadata expects KEY=VALUE (got "novalue")',
    ],
    [["--grpc", "127.0.0.1:1", "--grpc-metadata", "bad key=1"], '"bad key" is not a gRPC metadata key'],
    [["--grpc", "127.0.0.1:1", "--grpc-metadata", "grpc-timeout=1S"], "grpc-timeout is set by gRPC itself"],
    [
      ["--grpc", "127.0.0.1:1", "--grpc-metadata", "x-bin=not base64!"],
      "x-bin is binary and needs a base64 value",
    ],
    [
      ["--grpc", "127.0.0.1:1", "--grpc-cert", PROTO_FILE],
      "--grpc-cert and --grpc-key must be given together",
    ],
    [
      ["--grpc", "127.0.0.1:1", "--grpc-ca", "/no/such/ca.pem"],
      "--grpc-ca: cannot read /no/such/ca.pem (ENOENT)",
    ],
    [
      ["--grpc", "127.0.0.1:1", "--shared"],
      "--shared, --stateless and --header-to-env apply to --stdio only",
    ],
    [["--grpc", "127.0.0.1:1", "--header", "A: b"], "--header and --oauth2Bearer apply to --connect-* only"],
    [["--grpc", "127.0.0.1:1", "--jsonResponse"], "--jsonResponse applies to --expose-streamable-http only"],
    [["--grpc", "127.0.0.1:1", "--port", "-1"], "--port expects an integer >= 0"],
  ])("exits 2 with a clear message for %j", async (args, message) => {
    const bridge = await startProcess(process.execPath, [CLI, ...args]);
    expect(await bridge.exited()).toBe(2);
    expect(bridge.output().stderr).toContain(message);
    expect(bridge.output().stdout).toBe("");
  });
});

describe("mcptranslate --grpc over TLS", () => {
  let certificates: TestCertificates;

  beforeAll(() => {
    certificates = makeTestCertificates();
  });

  afterAll(() => {
    certificates.remove();
  });

  function tlsServer(requireClientCertificate: boolean): Promise<InventoryServer> {
    return startInventoryServer({
      credentials: ServerCredentials.createSsl(
        certificates.read("ca"),
        [{ cert_chain: certificates.read("serverCert"), private_key: certificates.read("serverKey") }],
        requireClientCertificate,
      ),
    });
  }

  it("--grpc-ca: trusts the given CA", async () => {
    grpc = await tlsServer(false);
    const bridge = await startBridge(grpc.port, ["--grpc-ca", certificates.files.ca]);
    const client = await connect(bridge.url);
    const result = await call(client, "Inventory.Fail", { code: 9, message: "over TLS" });
    expect(firstText(result)).toBe("gRPC FAILED_PRECONDITION (9): over TLS");
  });

  it("--grpc-cert and --grpc-key: mutual TLS", async () => {
    grpc = await tlsServer(true);
    const bridge = await startBridge(grpc.port, [
      "--grpc-ca",
      certificates.files.ca,
      "--grpc-cert",
      certificates.files.clientCert,
      "--grpc-key",
      certificates.files.clientKey,
    ]);
    const client = await connect(bridge.url);
    expect((await client.listTools()).tools).toHaveLength(4);
    expect((await call(client, "Inventory.WhoAmI", {})).isError).toBeUndefined();
  });

  it("exits 1 when the server's certificate is not trusted (--grpc-tls: system roots)", async () => {
    grpc = await tlsServer(false);
    const bridge = await startProcess(process.execPath, [
      CLI,
      "--grpc",
      `127.0.0.1:${grpc.port}`,
      "--grpc-tls",
    ]);
    expect(await bridge.exited()).toBe(1);
    expect(bridge.output().stderr).toContain("cannot discover the services of the gRPC server");
    expect(bridge.output().stderr).toContain("UNAVAILABLE");
  });

  it("exits 1 when the server wants a client certificate and none is given", async () => {
    grpc = await tlsServer(true);
    const bridge = await startProcess(process.execPath, [
      CLI,
      "--grpc",
      `127.0.0.1:${grpc.port}`,
      "--grpc-ca",
      certificates.files.ca,
    ]);
    expect(await bridge.exited()).toBe(1);
    expect(bridge.output().stderr).toContain("UNAVAILABLE");
  });
});

describe("startGrpcTranslate (embedded)", () => {
  let handle: GrpcTranslateHandle | undefined;

  afterEach(async () => {
    await handle?.close();
    handle = undefined;
  });

  it("serves the tools on every transport and closes the channel on close()", async () => {
    grpc = await startInventoryServer();
    handle = await startGrpcTranslate({
      grpc: `127.0.0.1:${grpc.port}`,
      port: 0,
      exposeStreamableHttp: true,
      exposeWs: true,
      metadata: { "x-caller": "embedded" },
      timeoutMs: 5_000,
    });
    expect(handle.tools).toEqual([
      "Inventory.PutItem",
      "Inventory.Fail",
      "Inventory.WhoAmI",
      "Inventory.Sleep",
    ]);
    const client = await connect(handle.urls.streamableHttp ?? "");
    const result = await call(client, "Inventory.WhoAmI", {});
    expect(result.structuredContent).toMatchObject({ metadata: { "x-caller": "embedded" } });
    expect(handle.sessionCount).toBe(1);
    await handle.close();
    expect(handle.sessionCount).toBe(0);
  });

  it("rejects with grpc_unavailable when discovery fails, and invalid_options for bad options", async () => {
    grpc = await startInventoryServer({ reflection: false });
    await expect(startGrpcTranslate({ grpc: `127.0.0.1:${grpc.port}`, port: 0 })).rejects.toMatchObject({
      code: "grpc_unavailable",
    });
    await expect(startGrpcTranslate({ grpc: "127.0.0.1:1", timeoutMs: -1 })).rejects.toMatchObject({
      code: "invalid_options",
      message: "--grpc-timeout must be a number of seconds > 0 (got -0.001)",
    });
  });
});
