import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
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

function startStateless(extra: { jsonResponse?: boolean } = {}): Promise<TranslateHandle> {
  return startTranslate({ stdio: everythingArgv(marker), port: 0, stateless: true, ...extra });
}

/** A 2026-07-28 client: no initialize, no session, `_meta` on every request. */
function modernClient(name: string): Client {
  return new Client({ name, version: "1.0.0" }, { versionNegotiation: { mode: "auto" } });
}

const POST_HEADERS = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };

describe("--stateless: streamable HTTP without sessions, one multiplexed child", () => {
  it("serves two concurrent 2025 clients without a session id, from one child, answers never crossed", async () => {
    handle = await startStateless();
    const url = new URL(handle.urls.streamableHttp ?? "");
    const a = legacyClient("a");
    const b = legacyClient("b");
    const ta = new StreamableHTTPClientTransport(url);
    const tb = new StreamableHTTPClientTransport(url);
    await Promise.all([a.connect(ta), b.connect(tb)]);
    expect(ta.sessionId).toBeUndefined();
    expect(tb.sessionId).toBeUndefined();
    expect(b.getServerVersion()).toEqual(a.getServerVersion());

    const calls: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      for (const [name, client] of [
        ["a", a],
        ["b", b],
      ] as const) {
        const message = `${name}-${i}`;
        calls.push(
          client
            .callTool({ name: "echo", arguments: { message } })
            .then((result) => expect(firstText(result)).toBe(message)),
        );
      }
    }
    await Promise.all(calls);
    expect(pidsWithMarker(marker)).toHaveLength(1);
    expect(handle.childPids()).toEqual(pidsWithMarker(marker));
    await Promise.all([a.close(), b.close()]);
  });

  it("routes progress of concurrent requests to the request that asked, on its own stream", async () => {
    handle = await startStateless();
    const url = new URL(handle.urls.streamableHttp ?? "");
    const a = legacyClient("a");
    const b = legacyClient("b");
    await Promise.all([
      a.connect(new StreamableHTTPClientTransport(url)),
      b.connect(new StreamableHTTPClientTransport(url)),
    ]);
    const seen = { a: [] as number[], b: [] as number[] };
    const [ra, rb] = await Promise.all([
      a.callTool(
        { name: "slow", arguments: { steps: 3, stepMs: 15 } },
        { onprogress: (p) => seen.a.push(p.progress) },
      ),
      b.callTool(
        { name: "slow", arguments: { steps: 4, stepMs: 15 } },
        { onprogress: (p) => seen.b.push(p.progress) },
      ),
    ]);
    expect(firstText(ra)).toBe("completed 3 steps");
    expect(firstText(rb)).toBe("completed 4 steps");
    expect(seen).toEqual({ a: [1, 2, 3], b: [1, 2, 3, 4] });
    await Promise.all([a.close(), b.close()]);
  });

  it("serves 2026-07-28 clients (no initialize) from a child of their own era", async () => {
    handle = await startStateless();
    const url = new URL(handle.urls.streamableHttp ?? "");
    const modern = modernClient("modern");
    await modern.connect(new StreamableHTTPClientTransport(url));
    const [x, y] = await Promise.all([
      modern.callTool({ name: "echo", arguments: { message: "x" } }),
      modern.callTool({ name: "echo", arguments: { message: "y" } }),
    ]);
    expect([firstText(x), firstText(y)]).toEqual(["x", "y"]);
    expect(pidsWithMarker(marker)).toHaveLength(1);

    // A 2025 client needs a child that speaks its era: a second one, never one per request.
    const legacy = legacyClient("legacy");
    await legacy.connect(new StreamableHTTPClientTransport(url));
    expect(firstText(await legacy.callTool({ name: "echo", arguments: { message: "z" } }))).toBe("z");
    expect(firstText(await modern.callTool({ name: "echo", arguments: { message: "w" } }))).toBe("w");
    expect(pidsWithMarker(marker)).toHaveLength(2);
    await Promise.all([modern.close(), legacy.close()]);
  });

  it("delivers a server-to-client request on the stream of the request that caused it, and takes the answer from a POST of its own", async () => {
    handle = await startStateless();
    const client = new Client(
      { name: "sampler", version: "1.0.0" },
      { versionNegotiation: { mode: "legacy" }, capabilities: { sampling: {} } },
    );
    client.setRequestHandler("sampling/createMessage", async () => ({
      role: "assistant",
      model: "test",
      content: { type: "text", text: "Paris" },
    }));
    await client.connect(new StreamableHTTPClientTransport(new URL(handle.urls.streamableHttp ?? "")));
    const result = await client.callTool({ name: "test_sampling", arguments: { prompt: "Capital?" } });
    expect(firstText(result)).toBe("LLM response: Paris");
    await client.close();
  });

  it("initializes the child itself when a 2025 request arrives before any initialize", async () => {
    handle = await startStateless({ jsonResponse: true });
    const response = await fetch(handle.urls.streamableHttp ?? "", {
      method: "POST",
      headers: POST_HEADERS,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "echo", arguments: { message: "cold" } },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("mcp-session-id")).toBeNull();
    expect(firstText(((await response.json()) as { result: unknown }).result)).toBe("cold");
  });

  it("answers a server-to-client request with an error at once under --jsonResponse", async () => {
    handle = await startStateless({ jsonResponse: true });
    const post = async (message: unknown) =>
      (await fetch(handle?.urls.streamableHttp ?? "", {
        method: "POST",
        headers: POST_HEADERS,
        body: JSON.stringify(message),
      }).then((response) => response.json())) as { result: unknown };
    await post({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: { sampling: {} },
        clientInfo: { name: "raw", version: "1" },
      },
    });
    const answer = await post({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "test_sampling", arguments: { prompt: "?" } },
    });
    expect(firstText(answer.result)).toMatch(/^Sampling not supported or error: .*cannot be delivered/);
  });

  it("answers GET and DELETE with 405, and caps requests in flight with --max-sessions", async () => {
    handle = await startTranslate({
      stdio: everythingArgv(marker),
      port: 0,
      stateless: true,
      maxSessions: 1,
    });
    const url = handle.urls.streamableHttp ?? "";
    const get = await fetch(url, { headers: { Accept: "text/event-stream" } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await fetch(url, { method: "DELETE" })).status).toBe(405);

    const client = legacyClient("busy");
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const slow = client.callTool({ name: "slow", arguments: { steps: 4, stepMs: 100 } });
    await eventually(() => expect(handle?.sessionCount).toBe(1));
    const refused = await fetch(url, {
      method: "POST",
      headers: POST_HEADERS,
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "ping" }),
    });
    expect(refused.status).toBe(503);
    expect(firstText(await slow)).toBe("completed 4 steps");
    await eventually(() => expect(handle?.sessionCount).toBe(0));
    await client.close();
  });

  it("cancels a request in the child when its stream is closed", async () => {
    let childStderr = "";
    handle = await startTranslate({
      stdio: everythingArgv(marker),
      port: 0,
      stateless: true,
      onChildStderr: (text) => {
        childStderr += text;
      },
    });
    const controller = new AbortController();
    const response = await fetch(handle.urls.streamableHttp ?? "", {
      method: "POST",
      headers: POST_HEADERS,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "slow", arguments: { steps: 50, stepMs: 100 }, _meta: { progressToken: "p" } },
      }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    // Once progress arrives the call runs in the child; then the client goes away.
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let seen = "";
    while (!seen.includes("notifications/progress")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    expect(handle.sessionCount).toBe(1);
    controller.abort();
    await eventually(() => expect(handle?.sessionCount).toBe(0));
    // The child is still there for the next request, and it stopped the cancelled call.
    const next = await fetch(handle.urls.streamableHttp ?? "", {
      method: "POST",
      headers: POST_HEADERS,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "echo", arguments: { message: "next" } },
      }),
    });
    expect(await next.text()).toContain('"text":"next"');
    await eventually(() => expect(childStderr).toMatch(/slow cancelled after \d+ of 50 steps/));
    expect(pidsWithMarker(marker)).toHaveLength(1);
  });

  it("rejects --stateless with SSE or WebSocket exposure", async () => {
    await expect(startTranslate({ stdio: "node x.js", stateless: true, exposeWs: true })).rejects.toThrow(
      "--stateless serves streamable HTTP only",
    );
  });
});
