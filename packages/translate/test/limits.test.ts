import { request } from "node:http";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket as WsClient } from "ws";
import { startTranslate, type TranslateHandle } from "../src/index.js";
import { eventually, everythingArgv, firstText, legacyClient, newMarker, pidsWithMarker } from "./helpers.js";

let handle: TranslateHandle | undefined;
const marker = newMarker();

afterEach(async () => {
  await handle?.close();
  handle = undefined;
  expect(pidsWithMarker(marker)).toEqual([]);
});

const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});
const POST_HEADERS = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };

describe("limits, health and policies", () => {
  it("answers /healthz with 200", async () => {
    handle = await startTranslate({ stdio: everythingArgv(marker), port: 0 });
    const response = await fetch(handle.urls.health);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", sessions: 0, children: 0 });
  });

  it("exposes SSE when no transport is chosen, as ContextForge does", async () => {
    handle = await startTranslate({ stdio: everythingArgv(marker), port: 0 });
    expect(Object.keys(handle.urls).sort()).toEqual(["health", "message", "sse"]);
  });

  it("refuses the session over --max-sessions with a clear 503, on every transport", async () => {
    handle = await startTranslate({
      stdio: everythingArgv(marker),
      port: 0,
      maxSessions: 1,
      exposeSse: true,
      exposeStreamableHttp: true,
      exposeWs: true,
    });
    const first = legacyClient("first");
    await first.connect(new StreamableHTTPClientTransport(new URL(handle.urls.streamableHttp ?? "")));

    const refused = await fetch(handle.urls.streamableHttp ?? "", {
      method: "POST",
      headers: POST_HEADERS,
      body: INITIALIZE,
    });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({
      error: { message: "Service Unavailable: session limit reached (1 open sessions)" },
    });
    const sse = await fetch(handle.urls.sse ?? "", { headers: { Accept: "text/event-stream" } });
    expect(sse.status).toBe(503);
    await sse.body?.cancel();
    const ws = new WebSocket(handle.urls.websocket ?? "");
    await new Promise<void>((resolve) => ws.addEventListener("error", () => resolve()));
    expect(pidsWithMarker(marker)).toHaveLength(1);
    await first.close();
  });

  it("ends a streamable HTTP session after the idle timeout, but not while a request runs", async () => {
    handle = await startTranslate({
      stdio: everythingArgv(marker),
      port: 0,
      exposeStreamableHttp: true,
      sessionIdleTimeoutMs: 400,
    });
    const client = legacyClient("idle");
    await client.connect(new StreamableHTTPClientTransport(new URL(handle.urls.streamableHttp ?? "")));
    // 4 x 250 ms with no message on the wire: longer than the timeout, yet the call is not idle.
    const slow = await client.callTool({ name: "slow", arguments: { steps: 4, stepMs: 250 } });
    expect(firstText(slow)).toBe("completed 4 steps");
    expect(handle.sessionCount).toBe(1);

    await eventually(() => {
      expect(handle?.sessionCount).toBe(0);
      expect(pidsWithMarker(marker)).toEqual([]);
    });
    await expect(client.callTool({ name: "echo", arguments: { message: "late" } })).rejects.toThrow();
    await client.close();
  });

  it("refuses an Origin it does not know with 403, and gives --cors origins CORS headers", async () => {
    handle = await startTranslate({
      stdio: everythingArgv(marker),
      port: 0,
      exposeStreamableHttp: true,
      corsOrigins: ["https://app.example"],
    });
    const url = handle.urls.streamableHttp ?? "";
    const evil = await fetch(url, {
      method: "POST",
      headers: { ...POST_HEADERS, Origin: "https://evil.example" },
      body: INITIALIZE,
    });
    expect(evil.status).toBe(403);
    const preflight = await fetch(url, { method: "OPTIONS", headers: { Origin: "https://app.example" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Mcp-Session-Id");
    // fetch may not set Host; a DNS-rebound page sends the attacker's host name.
    const rebound = await postWithHost(url, "attacker.example:80", INITIALIZE);
    expect(rebound).toBe(403);
    expect(pidsWithMarker(marker)).toEqual([]);
  });

  it("answers 404 for an unknown session and 400 for a non-initialize request without one", async () => {
    handle = await startTranslate({ stdio: everythingArgv(marker), port: 0, exposeStreamableHttp: true });
    const url = handle.urls.streamableHttp ?? "";
    const unknown = await fetch(url, {
      method: "POST",
      headers: { ...POST_HEADERS, "Mcp-Session-Id": "nope" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(unknown.status).toBe(404);
    const missing = await fetch(url, {
      method: "POST",
      headers: POST_HEADERS,
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(missing.status).toBe(400);
    expect(pidsWithMarker(marker)).toEqual([]);
  });

  it("rejects options that cannot work together", async () => {
    await expect(startTranslate({ stdio: "node x.js", jsonResponse: true })).rejects.toThrow(
      "--jsonResponse applies to --expose-streamable-http only",
    );
    await expect(
      startTranslate({ stdio: "node x.js", ssePath: "/same", messagePath: "/same" }),
    ).rejects.toThrow('--messagePath "/same" is already used by --ssePath');
    await expect(startTranslate({ stdio: "  " })).rejects.toMatchObject({ code: "invalid_options" });
  });
});

function postWithHost(url: string, host: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...POST_HEADERS, Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("--jsonResponse and --keepAlive", () => {
  it("answers streamable HTTP requests with one JSON body under --jsonResponse", async () => {
    handle = await startTranslate({
      stdio: everythingArgv(marker),
      port: 0,
      exposeStreamableHttp: true,
      jsonResponse: true,
    });
    const url = handle.urls.streamableHttp ?? "";
    const response = await fetch(url, { method: "POST", headers: POST_HEADERS, body: INITIALIZE });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("mcp-session-id")).toMatch(/^[\x21-\x7e]+$/);
    expect(await response.json()).toMatchObject({
      id: 1,
      result: { serverInfo: { name: "mcp-sample-everything" } },
    });
  });

  it("writes SSE keep-alive comments and pings WebSocket clients every --keepAlive", async () => {
    handle = await startTranslate({
      stdio: everythingArgv(marker),
      port: 0,
      exposeSse: true,
      exposeWs: true,
      keepAliveMs: 100,
    });
    const controller = new AbortController();
    const stream = await fetch(handle.urls.sse ?? "", {
      headers: { Accept: "text/event-stream" },
      signal: controller.signal,
    });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes(": keepalive")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("event: endpoint");
    expect(text).toContain(": keepalive");
    controller.abort();

    const socket = new WsClient(handle.urls.websocket ?? "", "mcp");
    const pinged = await new Promise<boolean>((resolve) => {
      socket.once("ping", () => resolve(true));
      setTimeout(() => resolve(false), 2_000);
    });
    expect(pinged).toBe(true);
    socket.close();
    await eventually(() => expect(handle?.sessionCount).toBe(0));
  });

  it("reports sessions and children on /healthz", async () => {
    handle = await startTranslate({
      stdio: everythingArgv(marker),
      port: 0,
      exposeStreamableHttp: true,
      shared: true,
    });
    const client = legacyClient("health");
    await client.connect(new StreamableHTTPClientTransport(new URL(handle.urls.streamableHttp ?? "")));
    expect(await (await fetch(handle.urls.health)).json()).toEqual({
      status: "ok",
      sessions: 1,
      children: 1,
    });
    await client.close();
  });
});
