import { type Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { afterEach, describe, expect, it } from "vitest";
import { startTranslate, type TranslateHandle } from "../src/index.js";
import { eventually, everythingArgv, firstText, legacyClient, newMarker, pidsWithMarker } from "./helpers.js";

let handle: TranslateHandle | undefined;
const marker = newMarker();

afterEach(async () => {
  await handle?.close();
  handle = undefined;
  expect(pidsWithMarker(marker)).toEqual([]);
});

function start(): Promise<TranslateHandle> {
  return startTranslate({
    stdio: everythingArgv(marker),
    port: 0,
    exposeSse: true,
    exposeStreamableHttp: true,
    exposeWs: true,
  });
}

describe("a stdio server exposed on every transport at once", () => {
  it("serves initialize, tools/list and tools/call over streamable HTTP (SDK v2 client)", async () => {
    handle = await start();
    const client = legacyClient("shttp");
    const transport = new StreamableHTTPClientTransport(new URL(handle.urls.streamableHttp ?? ""));
    await client.connect(transport);
    expect(client.getServerVersion()?.name).toBe("mcp-sample-everything");
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain("echo");
    expect(
      firstText(await client.callTool({ name: "echo", arguments: { message: "over streamable HTTP" } })),
    ).toBe("over streamable HTTP");
    await transport.terminateSession();
    await client.close();
    await eventually(() => expect(pidsWithMarker(marker)).toEqual([]));
  });

  it("relays progress notifications on the request's stream before the result", async () => {
    handle = await start();
    const client = legacyClient("progress");
    await client.connect(new StreamableHTTPClientTransport(new URL(handle.urls.streamableHttp ?? "")));
    const progress: number[] = [];
    const result = await client.callTool(
      { name: "slow", arguments: { steps: 3, stepMs: 10 } },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(firstText(result)).toBe("completed 3 steps");
    expect(progress).toEqual([1, 2, 3]);
    await client.close();
  });

  it("serves the 2024-11-05 SSE transport (SDK v1 SSEClientTransport)", async () => {
    handle = await start();
    const client = new ClientV1({ name: "sse", version: "1.0.0" });
    await client.connect(new SSEClientTransport(new URL(handle.urls.sse ?? "")));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("echo");
    expect(firstText(await client.callTool({ name: "echo", arguments: { message: "over SSE" } }))).toBe(
      "over SSE",
    );
    expect(pidsWithMarker(marker)).toHaveLength(1);
    await client.close();
    await eventually(() => expect(pidsWithMarker(marker)).toEqual([]));
  });

  it("serves WebSocket (SDK v1 WebSocketClientTransport)", async () => {
    handle = await start();
    const client = new ClientV1({ name: "ws", version: "1.0.0" });
    await client.connect(new WebSocketClientTransport(new URL(handle.urls.websocket ?? "")));
    expect(firstText(await client.callTool({ name: "echo", arguments: { message: "over WebSocket" } }))).toBe(
      "over WebSocket",
    );
    await client.close();
    await eventually(() => expect(pidsWithMarker(marker)).toEqual([]));
  });

  it("gives every session its own child by default, and ends them all on close()", async () => {
    handle = await start();
    const url = handle.urls;
    const a: Client = legacyClient("a");
    const b: Client = legacyClient("b");
    const c = new ClientV1({ name: "c", version: "1.0.0" });
    const d = new ClientV1({ name: "d", version: "1.0.0" });
    await Promise.all([
      a.connect(new StreamableHTTPClientTransport(new URL(url.streamableHttp ?? ""))),
      b.connect(new StreamableHTTPClientTransport(new URL(url.streamableHttp ?? ""))),
      c.connect(new SSEClientTransport(new URL(url.sse ?? ""))),
      d.connect(new WebSocketClientTransport(new URL(url.websocket ?? ""))),
    ]);
    const pids = pidsWithMarker(marker);
    expect(pids).toHaveLength(4);
    expect(new Set(handle.childPids())).toEqual(new Set(pids));
    expect(handle.sessionCount).toBe(4);

    await handle.close();
    expect(pidsWithMarker(marker)).toEqual([]);
    await Promise.allSettled([a.close(), b.close(), c.close(), d.close()]);
  });
});
