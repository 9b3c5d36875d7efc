import { stopAllProcesses } from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type GatewayFixture, startGatewayFixture } from "./gateway-fixture.js";
import { connectClient } from "./mcp-client.js";
import { openRawSse, type RawSseStream } from "./raw-sse.js";

// Bad input on every MCP endpoint gets its own answer, and the gateway keeps serving a
// well-behaved client running alongside it the whole time.

type Message = Record<string, unknown> & { id?: unknown; error?: { code: number; message: string } };

let fx: GatewayFixture;
const good: Client[] = [];
const streams: RawSseStream[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  fx = await startGatewayFixture();
  good.push(await connectClient(`${fx.base}/servers/${fx.serverId}/mcp`, fx.token, "2025"));
  good.push(await connectClient(`${fx.base}/mcp`, fx.token, "2026"));
});

afterAll(async () => {
  await Promise.allSettled([...good.map((c) => c.close()), ...streams.map((s) => s.close())]);
  for (const socket of sockets) socket.terminate();
  await fx?.gateway.stop();
  await stopAllProcesses();
});

/** Runs `bad` while well-behaved clients of both eras call `echo` in a loop; all of them must succeed. */
async function alongside<T>(bad: () => Promise<T>): Promise<T> {
  let stop = false;
  let calls = 0;
  const echo = async (client: Client) => {
    const message = `still here ${calls++}`;
    const result = await client.callTool({ name: "everything-echo", arguments: { message } });
    expect(result.content).toEqual([{ type: "text", text: message }]);
  };
  const loop = (async () => {
    while (!stop) await Promise.all(good.map(echo));
  })();
  try {
    return await bad();
  } finally {
    stop = true;
    await loop;
    await Promise.all(good.map(echo));
  }
}

const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const TEN_MB = "x".repeat(10 * 1024 * 1024);
const META_2026 = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};
const headers2026 = (method: string) => ({ "mcp-protocol-version": "2026-07-28", "mcp-method": method });

/** No internal detail leaks: no stack frames, no engine error names. */
function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/Maximum call stack|RangeError|\n\s+at /);
}

async function post(
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; messages: Message[]; text: string }> {
  const response = await fetch(`${fx.base}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${fx.token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body,
  });
  const text = await response.text();
  expectNoLeak(text);
  const type = response.headers.get("content-type") ?? "";
  let messages: Message[] = [];
  if (type.includes("text/event-stream")) {
    messages = text
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => JSON.parse(line.slice(5)) as Message);
  } else if (type.includes("json") && text) {
    const parsed = JSON.parse(text) as Message | Message[];
    messages = Array.isArray(parsed) ? parsed : [parsed];
  }
  return { status: response.status, messages, text };
}

/** Opens a raw 2025 session on `path` with `version`; returns the headers later requests need. */
async function session(path: string, version: string): Promise<Record<string, string>> {
  const response = await fetch(`${fx.base}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${fx.token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    }),
  });
  await response.text();
  const id = response.headers.get("mcp-session-id");
  expect(id).toMatch(/^[\x21-\x7e]+$/);
  const sessionHeaders = { "mcp-session-id": id ?? "", "mcp-protocol-version": version };
  const initialized = await post(
    path,
    JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    sessionHeaders,
  );
  expect(initialized.status).toBe(202);
  return sessionHeaders;
}

const request = (id: number, method: string, params?: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });

const errorOf = (messages: Message[]) => messages.find((m) => m.error)?.error;

describe.each([
  ["/mcp", () => "/mcp"],
  ["/servers/{id}/mcp", () => `/servers/${fx.serverId}/mcp`],
])("bad input on %s", (_name, pathOf) => {
  it("answers invalid JSON with 400 -32700, with or without a session, in both eras", async () => {
    await alongside(async () => {
      const path = pathOf();
      const sessionHeaders = await session(path, "2025-06-18");
      for (const headers of [{}, sessionHeaders, headers2026("tools/list")]) {
        const answer = await post(path, '{"jsonrpc":"2.0","id":1,"method":', headers);
        expect(answer.status).toBe(400);
        expect(errorOf(answer.messages)?.code).toBe(-32700);
      }
    });
  });

  it("refuses JSON-RPC batches from 2025-06-18 on and in 2026, and serves them on 2025-03-26", async () => {
    await alongside(async () => {
      const path = pathOf();
      const batch = `[${request(1, "ping")},${request(2, "tools/list")}]`;
      for (const version of ["2025-06-18", "2025-11-25"]) {
        const answer = await post(path, batch, await session(path, version));
        expect(answer.status).toBe(400);
        expect(errorOf(answer.messages)?.code).toBe(-32600);
      }
      const modern = await post(
        path,
        `[${request(1, "tools/list", { _meta: META_2026 })}]`,
        headers2026("tools/list"),
      );
      expect(modern.status).toBe(400);
      expect(errorOf(modern.messages)?.code).toBe(-32600);

      const legacy = await post(path, batch, await session(path, "2025-03-26"));
      expect(legacy.status).toBe(200);
      expect(legacy.messages.map((m) => m.id).sort()).toEqual([1, 2]);
      expect(legacy.messages.every((m) => "result" in m)).toBe(true);

      // `initialize` must be sent alone (2025-03-26 lifecycle).
      const init = request(1, "initialize", {
        protocolVersion: "2025-03-26",
        capabilities: {},
        clientInfo: { name: "raw", version: "1" },
      });
      const batchedInit = await post(path, `[${init}]`);
      expect(batchedInit.status).toBe(400);
      expect(errorOf(batchedInit.messages)?.code).toBe(-32600);
    });
  });

  it("answers a missing session id with 400 and an unknown one with 404", async () => {
    await alongside(async () => {
      const path = pathOf();
      expect((await post(path, request(1, "tools/list"))).status).toBe(400);
      const unknown = await post(path, request(1, "tools/list"), {
        "mcp-session-id": "no-such-session",
        "mcp-protocol-version": "2025-06-18",
      });
      expect(unknown.status).toBe(404);
    });
  });

  it("answers an unsupported MCP-Protocol-Version header with 400", async () => {
    await alongside(async () => {
      const path = pathOf();
      const sessionHeaders = await session(path, "2025-06-18");
      const legacy = await post(path, request(1, "tools/list"), {
        ...sessionHeaders,
        "mcp-protocol-version": "1999-01-01",
      });
      expect(legacy.status).toBe(400);
      // 2026: the header disagrees with the body's envelope.
      const modern = await post(path, request(2, "tools/list", { _meta: META_2026 }), {
        ...headers2026("tools/list"),
        "mcp-protocol-version": "2025-06-18",
      });
      expect(modern.status).toBe(400);
      expect(errorOf(modern.messages)?.code).toBe(-32020);
    });
  });

  it("answers a 10 MB body with 413", async () => {
    await alongside(async () => {
      const path = pathOf();
      const body = request(1, "tools/list", { padding: TEN_MB });
      expect((await post(path, body, await session(path, "2025-06-18"))).status).toBe(413);
      expect((await post(path, body, headers2026("tools/list"))).status).toBe(413);
    });
  });

  it("refuses 10,000-deep nested params with -32602 before they go anywhere, in both eras", async () => {
    await alongside(async () => {
      const path = pathOf();
      const sessionHeaders = await session(path, "2025-06-18");
      // Before the fix the call went upstream and overflowed the stack on the way ("Maximum call
      // stack size exceeded", blamed on the upstream).
      const call = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"everything-echo","arguments":{"message":${deep(10_000)}}}}`;
      const legacyCall = await post(path, call, sessionHeaders);
      expect(legacyCall.status).toBe(200);
      expect(errorOf(legacyCall.messages)).toMatchObject({
        code: -32602,
        message: expect.stringMatching(/nested deeper/),
      });

      const list = `{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"deep":${deep(10_000)}}}}`;
      expect(errorOf((await post(path, list, sessionHeaders)).messages)?.code).toBe(-32602);

      const modernCall = `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"_meta":${JSON.stringify(META_2026)},"name":"everything-echo","arguments":{"message":${deep(10_000)}}}}`;
      const modern = await post(path, modernCall, {
        ...headers2026("tools/call"),
        "mcp-name": "everything-echo",
      });
      expect(errorOf(modern.messages)?.code).toBe(-32602);

      // Ordinary nesting still reaches the upstream, which refuses a message that is not a string.
      const shallow = `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"everything-echo","arguments":{"message":${deep(50)}}}}`;
      const answer = (await post(path, shallow, sessionHeaders)).messages.find((m) => m.id === 4);
      expect(answer?.error?.message ?? JSON.stringify(answer?.result)).not.toMatch(/nested deeper/);
    });
    expect(fx.logs.join("\n")).not.toMatch(/Maximum call stack/);
  });

  it("answers an unknown method with -32601 (404 in 2026)", async () => {
    await alongside(async () => {
      const path = pathOf();
      const legacy = await post(path, request(1, "no/such/method"), await session(path, "2025-06-18"));
      expect(errorOf(legacy.messages)?.code).toBe(-32601);
      const modern = await post(
        path,
        request(2, "no/such/method", { _meta: META_2026 }),
        headers2026("no/such/method"),
      );
      expect(modern.status).toBe(404);
      expect(errorOf(modern.messages)?.code).toBe(-32601);
    });
  });

  it("answers bad list cursors and mistyped params with -32602, in both eras", async () => {
    await alongside(async () => {
      const path = pathOf();
      const sessionHeaders = await session(path, "2025-06-18");
      for (const params of [{ cursor: "forged.cursor" }, { cursor: 42 }]) {
        const legacy = await post(path, request(1, "tools/list", params), sessionHeaders);
        expect(errorOf(legacy.messages)).toMatchObject({ code: -32602 });
        const modern = await post(
          path,
          request(2, "tools/list", { ...params, _meta: META_2026 }),
          headers2026("tools/list"),
        );
        expect(errorOf(modern.messages)).toMatchObject({ code: -32602 });
      }
      const mistyped = await post(
        path,
        request(3, "tools/call", { name: { not: "a string" } }),
        sessionHeaders,
      );
      expect(errorOf(mistyped.messages)).toMatchObject({ code: -32602 });
    });
  });
});

describe("bad input on /message (HTTP+SSE, 2024-11-05)", () => {
  async function openSse(): Promise<{ stream: RawSseStream; endpoint: string }> {
    const stream = await openRawSse(`${fx.base}/sse`, { authorization: `Bearer ${fx.token}` });
    streams.push(stream);
    const endpoint = (await stream.next()).data;
    const init = request(0, "initialize", {
      protocolVersion: "2024-11-05",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    });
    expect((await post(endpoint, init)).status).toBe(202);
    await stream.nextMessage();
    await post(endpoint, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    return { stream, endpoint };
  }

  it("answers invalid JSON, batches, missing and unknown sessions and 10 MB on the POST itself", async () => {
    await alongside(async () => {
      const { endpoint } = await openSse();
      const parse = await post(endpoint, "{nope");
      expect([parse.status, errorOf(parse.messages)?.code]).toEqual([400, -32700]);
      // 2024-11-05 had no batches.
      const batch = await post(endpoint, `[${request(1, "ping")}]`);
      expect([batch.status, errorOf(batch.messages)?.code]).toEqual([400, -32600]);
      expect((await post("/message", request(1, "ping"))).status).toBe(400);
      expect((await post("/message?session_id=no-such-session", request(1, "ping"))).status).toBe(404);
      expect((await post(endpoint, request(1, "tools/list", { padding: TEN_MB }))).status).toBe(413);
    });
  });

  it("answers deep params, unknown methods and bad cursors on the stream, and keeps the session", async () => {
    await alongside(async () => {
      const { stream, endpoint } = await openSse();
      const sent = [
        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"everything-echo","arguments":{"message":${deep(10_000)}}}}`,
        request(2, "no/such/method"),
        request(3, "tools/list", { cursor: "forged.cursor" }),
        request(4, "ping"),
      ];
      for (const body of sent) expect((await post(endpoint, body)).status).toBe(202);
      const answers = new Map<unknown, Message>();
      while (answers.size < sent.length) {
        const message = (await stream.nextMessage()) as Message;
        expectNoLeak(JSON.stringify(message));
        answers.set(message.id, message);
      }
      expect(answers.get(1)?.error?.code).toBe(-32602);
      expect(answers.get(2)?.error?.code).toBe(-32601);
      expect(answers.get(3)?.error?.code).toBe(-32602);
      expect(answers.get(4)?.result).toEqual({});
    });
  });
});

describe("bad input on /ws (no session ids or version headers: the socket is the session)", () => {
  function open(): Promise<{ socket: WebSocket; next: () => Promise<Message>; closed: Promise<number> }> {
    const socket = new WebSocket(`${fx.base.replace(/^http/, "ws")}/ws?token=${fx.token}`);
    sockets.push(socket);
    const queue: Message[] = [];
    const waiters: ((message: Message) => void)[] = [];
    socket.on("message", (data) => {
      const text = String(data);
      expectNoLeak(text);
      const message = JSON.parse(text) as Message;
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else queue.push(message);
    });
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    const next = () =>
      new Promise<Message>((resolve) => {
        const queued = queue.shift();
        if (queued) resolve(queued);
        else waiters.push(resolve);
      });
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve({ socket, next, closed }));
      socket.once("error", reject);
    });
  }

  it("answers each bad frame in-band and keeps the socket open", async () => {
    await alongside(async () => {
      const { socket, next } = await open();
      socket.send(
        request(0, "initialize", {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "raw", version: "1" },
        }),
      );
      expect((await next()).id).toBe(0);
      socket.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
      socket.send("{nope");
      expect((await next()).error?.code).toBe(-32700);
      socket.send(`[${request(1, "ping")}]`);
      expect((await next()).error?.code).toBe(-32600);
      const bodies = [
        `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"everything-echo","arguments":{"message":${deep(10_000)}}}}`,
        request(3, "no/such/method"),
        request(4, "tools/list", { cursor: "forged.cursor" }),
        request(5, "ping"),
      ];
      for (const body of bodies) socket.send(body);
      const answers = new Map<unknown, Message>();
      while (answers.size < bodies.length) {
        const message = await next();
        answers.set(message.id, message);
      }
      expect(answers.get(2)?.error?.code).toBe(-32602);
      expect(answers.get(3)?.error?.code).toBe(-32601);
      expect(answers.get(4)?.error?.code).toBe(-32602);
      expect(answers.get(5)?.result).toEqual({});
      expect(socket.readyState).toBe(WebSocket.OPEN);
    });
  });

  it("closes the socket with 1009 on a 10 MB frame, and only that socket", async () => {
    await alongside(async () => {
      const { socket, closed } = await open();
      socket.send(request(1, "tools/list", { padding: TEN_MB }));
      expect(await closed).toBe(1009);
    });
  });
});
