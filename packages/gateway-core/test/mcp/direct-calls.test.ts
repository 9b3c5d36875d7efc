import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayFixture, startGatewayFixture } from "./gateway-fixture.js";
import { openRawSse } from "./raw-sse.js";

/**
 * 2025 sessions: a plain tools/call that can carry nothing before its answer (no progress
 * token, a client that takes no requests) is answered with one JSON body; anything else keeps
 * the SSE stream. Both answers must say the same thing.
 */
describe("tools/call answered directly as JSON (2025 sessions)", () => {
  let fx: GatewayFixture;
  let url: string;
  const jsonHeaders = (extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${fx.token}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    ...extra,
  });

  beforeAll(async () => {
    fx = await startGatewayFixture();
    url = `${fx.base}/servers/${fx.serverId}/mcp`;
  }, 60_000);

  afterAll(async () => {
    await fx?.gateway.stop();
  });

  async function openSession(capabilities: Record<string, unknown> = {}): Promise<string> {
    const response = await fetch(url, {
      method: "POST",
      headers: jsonHeaders(),
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities, clientInfo: { name: "t", version: "1" } },
      }),
    });
    expect(response.status).toBe(200);
    await response.text();
    const session = response.headers.get("mcp-session-id") ?? "";
    const initialized = await post(session, { jsonrpc: "2.0", method: "notifications/initialized" });
    expect(initialized.status).toBe(202);
    return session;
  }

  const post = (session: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(url, {
      method: "POST",
      headers: jsonHeaders({ "mcp-session-id": session, "mcp-protocol-version": "2025-11-25", ...headers }),
      body: JSON.stringify(body),
    });

  /** The one JSON-RPC answer of a response, JSON or SSE (the last `data:` line that has an id). */
  async function answerOf(response: Response): Promise<Record<string, unknown>> {
    const text = await response.text();
    if (response.headers.get("content-type")?.startsWith("application/json")) return JSON.parse(text);
    const messages = text
      .split("\n")
      .filter((line) => line.startsWith("data:") && line.slice(5).trim() !== "")
      .map((line) => JSON.parse(line.slice(5)) as Record<string, unknown>);
    const answer = messages.reverse().find((message) => "id" in message);
    if (!answer) throw new Error(`no answer in ${text}`);
    return answer;
  }

  const call = (id: number, name: string, args?: unknown, meta?: Record<string, unknown>) => ({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name, ...(args === undefined ? {} : { arguments: args }), ...(meta ? { _meta: meta } : {}) },
  });

  it("answers a plain call with JSON, and the same as over the SSE stream", async () => {
    const session = await openSession();
    const direct = await post(session, call(1, "everything-echo", { message: "hello" }));
    expect(direct.status).toBe(200);
    expect(direct.headers.get("content-type")).toMatch(/^application\/json/);
    expect(direct.headers.get("mcp-session-id")).toBe(session);
    const viaStream = await post(
      session,
      call(2, "everything-echo", { message: "hello" }, { progressToken: "p" }),
    );
    expect(viaStream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const [a, b] = [await answerOf(direct), await answerOf(viaStream)];
    expect(a).toEqual({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "hello" }] } });
    expect(b).toEqual({ ...a, id: 2 });
  });

  it("answers plain lists with JSON, the same as the SDK server's (any client), errors included", async () => {
    for (const capabilities of [{}, { sampling: {}, roots: {} }]) {
      const session = await openSession(capabilities);
      for (const [method, params] of [
        ["tools/list", {}],
        ["resources/list", undefined],
        ["resources/templates/list", {}],
        ["prompts/list", {}],
        ["tools/list", { cursor: "forged" }],
      ] as const) {
        const direct = await post(session, { jsonrpc: "2.0", id: 1, method, ...(params ? { params } : {}) });
        expect(direct.headers.get("content-type")).toMatch(/^application\/json/);
        const viaSdk = await post(session, {
          jsonrpc: "2.0",
          id: 2,
          method,
          params: { ...params, _meta: { progressToken: "p" } },
        });
        expect(viaSdk.headers.get("content-type")).toMatch(/^text\/event-stream/);
        const [a, b] = [await answerOf(direct), await answerOf(viaSdk)];
        expect({ ...a, id: 2 }).toEqual(b);
        if (method === "tools/list" && params.cursor === undefined)
          expect((a.result as { tools: { name: string }[] }).tools.map((t) => t.name).sort()).toEqual([
            "everything-echo",
            "everything-slow",
          ]);
      }
    }
  });

  it("answers errors as the SDK server does: unknown tool, invalid arguments", async () => {
    const session = await openSession();
    for (const [name, args] of [
      ["no-such-tool", {}],
      ["everything-echo", { message: 5 }],
    ] as const) {
      const direct = await answerOf(await post(session, call(10, name, args)));
      const viaStream = await answerOf(await post(session, call(11, name, args, { progressToken: 1 })));
      expect(direct.id).toBe(10);
      expect({ ...direct, id: 11 }).toEqual(viaStream);
    }
  });

  it("keeps the SSE stream for clients that take requests, and for invalid params", async () => {
    const sampling = await openSession({ sampling: {} });
    const withSampling = await post(sampling, call(1, "everything-echo", { message: "x" }));
    expect(withSampling.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect((await answerOf(withSampling)).result).toEqual({ content: [{ type: "text", text: "x" }] });

    const plain = await openSession();
    const badParams = await post(plain, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: 7 } });
    expect(badParams.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect((await answerOf(badParams)).error).toMatchObject({ code: -32602 });
  });

  it("leaves requests the SDK refuses to it: a wrong protocol version header, a missing Accept", async () => {
    const session = await openSession();
    const wrongVersion = await post(session, call(1, "everything-echo", { message: "x" }), {
      "mcp-protocol-version": "1999-01-01",
    });
    expect(wrongVersion.status).toBe(400);
    const noSse = await post(session, call(2, "everything-echo", { message: "x" }), {
      accept: "application/json",
    });
    expect(noSse.status).toBe(406);
  });

  it("ends a call the client cancels, and the session goes on", async () => {
    const session = await openSession();
    const slow = post(session, call(5, "everything-slow", { steps: 100, stepMs: 100 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelled = await post(session, {
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: 5, reason: "test" },
    });
    expect(cancelled.status).toBe(202);
    const answer = await answerOf(await slow);
    expect(answer).toMatchObject({ id: 5, error: { code: -32800 } });
    expect(
      await answerOf(await post(session, call(6, "everything-echo", { message: "after" }))),
    ).toMatchObject({
      result: { content: [{ text: "after" }] },
    });
  });

  it("legacy SSE: a client that takes no requests gets the same messages as one that does", async () => {
    const transcript = async (
      capabilities: Record<string, unknown>,
      listMeta?: Record<string, unknown>,
    ): Promise<unknown[]> => {
      const auth = { authorization: `Bearer ${fx.token}` };
      const stream = await openRawSse(`${fx.base}/servers/${fx.serverId}/sse`, auth);
      const endpoint = await stream.next();
      expect(endpoint.event).toBe("endpoint");
      const send = async (body: unknown) => {
        const response = await fetch(new URL(endpoint.data, fx.base), {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        expect(response.status).toBe(202);
        await response.text();
      };
      await send({
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: { protocolVersion: "2024-11-05", capabilities, clientInfo: { name: "t", version: "1" } },
      });
      await stream.nextMessage();
      await send({ jsonrpc: "2.0", method: "notifications/initialized" });
      const messages: unknown[] = [];
      for (const [id, body] of [
        [1, call(1, "everything-echo", { message: "hi" })],
        [2, call(2, "no-such-tool", {})],
        [3, call(3, "everything-echo", { message: 5 })],
        [4, call(4, "everything-slow", { steps: 2, stepMs: 1 }, { progressToken: "t" })],
        [
          5,
          {
            jsonrpc: "2.0",
            id: 5,
            method: "tools/list",
            ...(listMeta ? { params: { _meta: listMeta } } : {}),
          },
        ],
      ] as const) {
        await send(body);
        for (;;) {
          const message = await stream.nextMessage();
          messages.push(message);
          if (message.id === id) break;
        }
      }
      await stream.close();
      return messages;
    };
    const plain = await transcript({});
    expect(plain).toHaveLength(7);
    expect(plain.slice(3, 5)).toMatchObject([
      { method: "notifications/progress", params: { progressToken: "t", progress: 1, total: 2 } },
      { method: "notifications/progress", params: { progressToken: "t", progress: 2, total: 2 } },
    ]);
    // The second client's calls and list (it names a progress token) take the SDK server's path.
    expect(await transcript({ sampling: {} }, { progressToken: "l" })).toEqual(plain);
  });

  describe("2026-07-28", () => {
    const modern = (
      id: number,
      name: string,
      args: unknown,
      meta: Record<string, unknown> = {},
      headers: Record<string, string> = {},
    ) =>
      fetch(url, {
        method: "POST",
        headers: jsonHeaders({
          "mcp-protocol-version": "2026-07-28",
          "mcp-method": "tools/call",
          "mcp-name": name,
          ...headers,
        }),
        body: JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "tools/call",
          params: {
            name,
            arguments: args,
            _meta: {
              "io.modelcontextprotocol/protocolVersion": "2026-07-28",
              "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" },
              "io.modelcontextprotocol/clientCapabilities": {},
              ...meta,
            },
          },
        }),
      });

    it("answers a plain call as the SDK's per-request server does: results, errors, isError results", async () => {
      for (const [name, args] of [
        ["everything-echo", { message: "hi" }],
        ["no-such-tool", {}],
        ["everything-echo", { message: 5 }],
      ] as const) {
        const direct = await modern(1, name, args);
        // A progress token (or a client that takes requests) keeps the SDK's path.
        const viaSdk = await modern(1, name, args, { progressToken: "p" });
        const withCapabilities = await modern(1, name, args, {
          "io.modelcontextprotocol/clientCapabilities": { sampling: {} },
        });
        for (const response of [direct, viaSdk, withCapabilities]) {
          expect(response.status).toBe(200);
          expect(response.headers.get("content-type")).toMatch(/^application\/json/);
        }
        const answer = await direct.json();
        expect(answer).toEqual(await viaSdk.json());
        expect(answer).toEqual(await withCapabilities.json());
        if (name === "everything-echo" && args.message === "hi")
          expect(answer).toMatchObject({
            id: 1,
            result: {
              content: [{ type: "text", text: "hi" }],
              resultType: "complete",
              _meta: { "io.modelcontextprotocol/serverInfo": { name: "contextforge-gateway" } },
            },
          });
      }
    });

    it("leaves what the SDK refuses to it: a header that contradicts the body", async () => {
      const mismatch = await modern(1, "everything-echo", { message: "x" }, {}, { "mcp-name": "other" });
      expect(mismatch.status).toBe(400);
      await mismatch.text();
    });
  });

  it("ends the calls in flight when the client ends the session", async () => {
    const session = await openSession();
    const slow = post(session, call(5, "everything-slow", { steps: 100, stepMs: 100 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ended = await fetch(url, { method: "DELETE", headers: jsonHeaders({ "mcp-session-id": session }) });
    expect(ended.status).toBe(200);
    expect(await answerOf(await slow)).toMatchObject({ id: 5, error: { code: -32000 } });
  });
});
