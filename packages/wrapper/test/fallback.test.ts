import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type LegacySseServer, startLegacySseServer } from "./helpers/legacy-sse-server.js";
import { type RecordingProxy, startRecordingProxy } from "./helpers/recording-proxy.js";
import {
  connectThroughWrapper,
  EVERYTHING,
  eventually,
  firstText,
  newMarker,
  pidsWithMarker,
  startEverything,
  type WrappedClient,
} from "./helpers/wrapper-process.js";

const marker = newMarker();
let everythingPort: number;
let legacy: LegacySseServer | undefined;
let proxy: RecordingProxy | undefined;
let wrapped: WrappedClient | undefined;

beforeAll(async () => {
  everythingPort = await getFreePort();
  await startEverything(everythingPort);
});

afterEach(async () => {
  await wrapped?.client.close();
  wrapped = undefined;
  await legacy?.close();
  legacy = undefined;
  await proxy?.close();
  proxy = undefined;
  await eventually(() => expect(pidsWithMarker(marker)).toEqual([]));
});

afterAll(stopAllProcesses);

describe("mcpwrapper and older or newer remotes", () => {
  it("falls back to the HTTP+SSE transport when the initialize POST gets a 4xx", async () => {
    legacy = await startLegacySseServer();
    wrapped = await connectThroughWrapper(marker, ["--url", legacy.url], {
      client: { capabilities: { sampling: {} }, versionNegotiation: { mode: "legacy" } },
    });
    const { client } = wrapped;
    expect(client.getServerVersion()?.name).toBe("legacy-sse");
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["echo", "ask_llm"]);
    expect(firstText(await client.callTool({ name: "echo", arguments: { message: "over SSE" } }))).toBe(
      "over SSE",
    );
    client.setRequestHandler("sampling/createMessage", async () => ({
      model: "m",
      role: "assistant",
      content: { type: "text", text: "hello back" },
    }));
    expect(firstText(await client.callTool({ name: "ask_llm", arguments: {} }))).toBe("LLM said: hello back");
    expect(wrapped.stderr()).toContain("using the HTTP+SSE transport");
  });

  it("opens a new SSE session when the old stream drops", async () => {
    legacy = await startLegacySseServer();
    wrapped = await connectThroughWrapper(marker, ["--url", legacy.url]);
    const { client } = wrapped;
    await client.callTool({ name: "echo", arguments: { message: "one" } });
    legacy.dropSessions();
    await eventually(() => expect(legacy?.sessionsOpened()).toBe(2));
    expect(firstText(await client.callTool({ name: "echo", arguments: { message: "two" } }))).toBe("two");
  });

  it("relays a 2026-07-28 client statelessly: no initialize, no session, per-request headers", async () => {
    proxy = await startRecordingProxy(everythingPort);
    wrapped = await connectThroughWrapper(marker, ["--url", proxy.url], {
      client: { versionNegotiation: { mode: "auto" } },
    });
    const { client } = wrapped;
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("echo");
    expect(firstText(await client.callTool({ name: "echo", arguments: { message: "modern" } }))).toBe(
      "modern",
    );

    expect(proxy.requests.map((r) => r.rpcMethod)).not.toContain("initialize");
    expect(proxy.requests.every((r) => r.sessionId === undefined)).toBe(true);
    const call = proxy.requests.find((r) => r.rpcMethod === "tools/call");
    expect(call?.headers["mcp-method"]).toBe("tools/call");
    expect(call?.headers["mcp-name"]).toBe("echo");
    expect(call?.headers["mcp-protocol-version"]).toBe("2026-07-28");
    await client.close();
    wrapped = undefined;
    expect(proxy.requests.filter((r) => r.method === "DELETE")).toEqual([]);
  });

  it("lets a 2026-capable client fall back to initialize when the remote serves only 2025", async () => {
    const port = await getFreePort();
    await startProcess(
      process.execPath,
      [EVERYTHING, "--transport", "http", "--port", String(port), "--legacy-only"],
      { readyPattern: /listening on/ },
    );
    wrapped = await connectThroughWrapper(marker, ["--url", `http://127.0.0.1:${port}/mcp`], {
      client: { versionNegotiation: { mode: "auto" } },
    });
    expect(wrapped.client.getNegotiatedProtocolVersion()).toMatch(/^2025-/);
    expect(
      firstText(await wrapped.client.callTool({ name: "echo", arguments: { message: "negotiated down" } })),
    ).toBe("negotiated down");
  });
});
