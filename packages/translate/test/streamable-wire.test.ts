import { afterEach, describe, expect, it } from "vitest";
import { startTranslate, type TranslateHandle } from "../src/index.js";
import { eventually, everythingArgv, firstText, newMarker, pidsWithMarker } from "./helpers.js";

let handle: TranslateHandle | undefined;
const marker = newMarker();

afterEach(async () => {
  await handle?.close();
  handle = undefined;
  expect(pidsWithMarker(marker)).toEqual([]);
});

const ACCEPT_BOTH = "application/json, text/event-stream";
const POST_HEADERS = { "Content-Type": "application/json", Accept: ACCEPT_BOTH };
const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const INITIALIZED = { jsonrpc: "2.0", method: "notifications/initialized" };

async function start(extra: { jsonResponse?: boolean } = {}): Promise<string> {
  handle = await startTranslate({
    stdio: everythingArgv(marker),
    port: 0,
    exposeStreamableHttp: true,
    ...extra,
  });
  return handle.urls.streamableHttp ?? "";
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { ...POST_HEADERS, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The JSON-RPC messages of a finished SSE body. */
function sseMessages(text: string): unknown[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => JSON.parse(line.slice("data: ".length)) as unknown);
}

/** Opens a session by hand; resolves with its id. */
async function openSession(url: string): Promise<string> {
  const response = await post(url, INITIALIZE);
  expect(response.status).toBe(200);
  const id = response.headers.get("mcp-session-id");
  if (id === null) throw new Error("no Mcp-Session-Id on the initialize answer");
  await response.text();
  expect((await post(url, INITIALIZED, { "Mcp-Session-Id": id })).status).toBe(202);
  return id;
}

describe("streamable HTTP wire rules (node:http relay)", () => {
  it("answers initialize on an SSE stream that ends after the response, with a visible-ASCII session id", async () => {
    const url = await start();
    const response = await post(url, INITIALIZE);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("mcp-session-id")).toMatch(/^[\x21-\x7e]+$/);
    expect(sseMessages(await response.text())).toEqual([
      expect.objectContaining({ id: 1, result: expect.objectContaining({ protocolVersion: "2025-06-18" }) }),
    ]);
  });

  it("answers 202 with an empty body for a POST of notifications only", async () => {
    const url = await start();
    const id = await openSession(url);
    const response = await post(
      url,
      { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
      {
        "Mcp-Session-Id": id,
      },
    );
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
  });

  it("answers every request of a batch on one stream, and as a JSON array under --jsonResponse", async () => {
    const url = await start();
    const id = await openSession(url);
    const batch = [
      {
        jsonrpc: "2.0",
        id: "a",
        method: "tools/call",
        params: { name: "echo", arguments: { message: "one" } },
      },
      {
        jsonrpc: "2.0",
        id: "b",
        method: "tools/call",
        params: { name: "echo", arguments: { message: "two" } },
      },
    ];
    const streamed = sseMessages(await (await post(url, batch, { "Mcp-Session-Id": id })).text()) as {
      id: string;
      result: unknown;
    }[];
    expect(streamed.map((message) => [message.id, firstText(message.result)]).sort()).toEqual([
      ["a", "one"],
      ["b", "two"],
    ]);
    await handle?.close();

    const jsonUrl = await start({ jsonResponse: true });
    const jsonId = await openSession(jsonUrl);
    const answer = await post(jsonUrl, batch, { "Mcp-Session-Id": jsonId });
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(answer.headers.get("mcp-session-id")).toBe(jsonId);
    const body = (await answer.json()) as { id: string; result: unknown }[];
    expect(body.map((message) => [message.id, firstText(message.result)])).toEqual([
      ["a", "one"],
      ["b", "two"],
    ]);
  });

  it("refuses a server-to-client request at once when the answer is one JSON body", async () => {
    const url = await start({ jsonResponse: true });
    const opened = await post(url, {
      ...INITIALIZE,
      params: { ...INITIALIZE.params, capabilities: { sampling: {} } },
    });
    const id = opened.headers.get("mcp-session-id") ?? "";
    await opened.json();
    await post(url, INITIALIZED, { "Mcp-Session-Id": id });
    const answer = await post(
      url,
      {
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "test_sampling", arguments: { prompt: "?" } },
      },
      { "Mcp-Session-Id": id },
    );
    const body = (await answer.json()) as { result: unknown };
    expect(firstText(body.result)).toMatch(/^Sampling not supported or error: .*cannot be delivered/);
  });

  it("refuses a bad Accept (406), Content-Type (415), JSON (400 -32700) and message shape before starting a child", async () => {
    const url = await start();
    const accept = await post(url, INITIALIZE, { Accept: "application/json" });
    expect(accept.status).toBe(406);
    expect(await accept.json()).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: {
        code: -32000,
        message: "Not Acceptable: Client must accept both application/json and text/event-stream",
      },
    });
    const type = await post(url, INITIALIZE, { "Content-Type": "text/plain" });
    expect(type.status).toBe(415);
    expect(await type.json()).toMatchObject({ error: { code: -32000 } });
    const json = await post(url, "{not json");
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({
      error: { code: -32700, message: "Parse error: Invalid JSON" },
    });
    const shape = await post(url, { id: 1, method: "initialize" });
    expect(shape.status).toBe(400);
    expect(await shape.json()).toMatchObject({
      error: { code: -32700, message: "Parse error: Invalid JSON-RPC message" },
    });
    const empty = await post(url, []);
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: { code: -32600 } });
    const twoInits = await post(url, [INITIALIZE, { ...INITIALIZE, id: 2 }]);
    expect(twoInits.status).toBe(400);
    expect(await twoInits.json()).toMatchObject({
      error: { code: -32600, message: "Invalid Request: Only one initialization request is allowed" },
    });
    const tooMany = await post(
      url,
      Array.from({ length: 101 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "ping" })),
    );
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ error: { code: -32600 } });
    expect(pidsWithMarker(marker)).toEqual([]);
    expect(handle?.sessionCount).toBe(0);
  });

  it("refuses an unsupported MCP-Protocol-Version (400), a second initialize (400) and other methods (405)", async () => {
    const url = await start();
    const id = await openSession(url);
    const version = await post(
      url,
      { jsonrpc: "2.0", id: 2, method: "ping" },
      {
        "Mcp-Session-Id": id,
        "MCP-Protocol-Version": "1999-01-01",
      },
    );
    expect(version.status).toBe(400);
    expect(await version.json()).toMatchObject({
      error: { code: -32000, message: expect.stringContaining("Unsupported protocol version: 1999-01-01") },
    });
    const again = await post(url, { ...INITIALIZE, id: 3 }, { "Mcp-Session-Id": id });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({
      error: { code: -32600, message: "Invalid Request: Server already initialized" },
    });
    const put = await fetch(url, { method: "PUT", headers: { "Mcp-Session-Id": id } });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST, DELETE");
    const ping = await post(
      url,
      { jsonrpc: "2.0", id: 4, method: "ping" },
      {
        "Mcp-Session-Id": id,
        "MCP-Protocol-Version": "2025-06-18",
      },
    );
    expect(sseMessages(await ping.text())).toEqual([{ jsonrpc: "2.0", id: 4, result: {} }]);
  });

  it("opens one GET stream per session (406 without text/event-stream, 409 for a second)", async () => {
    const url = await start();
    const id = await openSession(url);
    const wrong = await fetch(url, { headers: { "Mcp-Session-Id": id, Accept: "application/json" } });
    expect(wrong.status).toBe(406);
    const controller = new AbortController();
    const stream = await fetch(url, {
      headers: { "Mcp-Session-Id": id, Accept: "text/event-stream" },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    const second = await fetch(url, { headers: { "Mcp-Session-Id": id, Accept: "text/event-stream" } });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: -32000 } });
    controller.abort();
    // Once the first is gone, a new one may open.
    await eventually(async () => {
      const again = await fetch(url, { headers: { "Mcp-Session-Id": id, Accept: "text/event-stream" } });
      expect(again.status).toBe(200);
      await again.body?.cancel();
    });
  });

  it("ends the session and its child on DELETE; the id then gets 404, a GET or DELETE without one 400", async () => {
    const url = await start();
    const id = await openSession(url);
    expect(pidsWithMarker(marker)).toHaveLength(1);
    const deleted = await fetch(url, { method: "DELETE", headers: { "Mcp-Session-Id": id } });
    expect(deleted.status).toBe(200);
    await eventually(() => expect(pidsWithMarker(marker)).toEqual([]));
    const gone = await post(url, { jsonrpc: "2.0", id: 2, method: "ping" }, { "Mcp-Session-Id": id });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: -32001, message: "Session not found" } });
    const noId = await fetch(url, { headers: { Accept: "text/event-stream" } });
    expect(noId.status).toBe(400);
    expect((await fetch(url, { method: "DELETE" })).status).toBe(400);
  });
});
