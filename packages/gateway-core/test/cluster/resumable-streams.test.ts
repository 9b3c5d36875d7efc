import { setTimeout as sleep } from "node:timers/promises";
import {
  createRedisNamespace,
  type RedisNamespace,
  serviceAvailability,
  stopAllProcesses,
} from "@contextforge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/index.js";
import { REPLICA_GONE_MESSAGE } from "../../src/mcp/downstream/session-event-store.js";
import { redisCacheSettings, startClusterReplica } from "../support/cluster-replica.js";
import { createTestDatabase, type TestDatabase } from "../support/dialect-matrix.js";
import { startSampleServer } from "../upstream/sample-server-process.js";

// Replicas sharing PostgreSQL and Redis keep every event of a 2025-11-25 session's SSE streams in
// Redis: a client whose stream dropped resumes it with Last-Event-ID on any replica, a
// notification sent outside any request reaches the replica holding the client's GET stream,
// and a request whose replica is gone gets an error instead of silence.

const SECRET = "resumable-streams-test-secret-resumable";
const ALICE = "alice@example.com";
const VERSION = "2025-11-25";
const WATCHED = "test://watched-resource";

type Json = Record<string, unknown>;

interface SseEvent {
  readonly id: string | undefined;
  readonly data: string;
}

/** Reads an SSE response event by event (ids included), until it ends or is closed. */
class SseReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  #done = false;

  constructor(response: Response) {
    if (!response.body) throw new Error("no body");
    this.#reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event, or undefined when the stream ended. */
  async next(timeoutMs = 10_000): Promise<SseEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        if (block.startsWith(":")) continue;
        const lines = block.split("\n");
        const field = (name: string) =>
          lines
            .filter((line) => line.startsWith(`${name}:`))
            .map((line) => line.slice(name.length + 1).trimStart());
        return { id: field("id")[0], data: field("data").join("\n") };
      }
      if (this.#done) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no SSE event in time");
      const chunk = await Promise.race([
        this.#reader.read(),
        sleep(left).then(() => ({ done: false, value: "", timedOut: true }) as const),
      ]);
      if ("timedOut" in chunk) throw new Error("no SSE event in time");
      if (chunk.done) this.#done = true;
      else this.#buffer += chunk.value;
    }
  }

  /** Every event until the stream ends. */
  async rest(timeoutMs = 10_000): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    for (let event = await this.next(timeoutMs); event; event = await this.next(timeoutMs))
      events.push(event);
    return events;
  }

  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

const postgres = await serviceAvailability("postgres");
const redis = await serviceAvailability("redis");

describe.skipIf(!postgres.available || !redis.available)("resumable 2025 streams on any replica", () => {
  let database: TestDatabase;
  let namespace: RedisNamespace;
  const replicas: Gateway[] = [];
  const bases: string[] = [];
  let token: string;

  const startReplica = async (): Promise<string> => {
    const { gateway, base } = await startClusterReplica(database.url, SECRET, redisCacheSettings(namespace));
    replicas.push(gateway);
    bases.push(base);
    return base;
  };

  beforeAll(async () => {
    database = await createTestDatabase("postgres", "resumable-streams");
    namespace = await createRedisNamespace({ label: "resumable-streams" });
    const everything = await startSampleServer("@contextforge/server-everything");
    await startReplica();
    await replicas[0]?.registry.gateways.create({
      name: "everything",
      url: everything.url,
      transport: "STREAMABLEHTTP",
      tags: [],
    });
    await startReplica();
    token = (await replicas[0]?.mintToken(ALICE, 30)) ?? "";
  });
  afterAll(async () => {
    await Promise.allSettled(replicas.map((replica) => replica.stop()));
    await stopAllProcesses();
    await namespace?.cleanup();
    await database?.drop();
  });

  const headers = (session?: string, extra: Record<string, string> = {}): Record<string, string> => ({
    authorization: `Bearer ${token}`,
    accept: "application/json, text/event-stream",
    "content-type": "application/json",
    ...(session === undefined ? {} : { "mcp-session-id": session, "mcp-protocol-version": VERSION }),
    ...extra,
  });

  const post = (base: string, body: Json, session?: string): Promise<Response> =>
    fetch(`${base}/mcp`, { method: "POST", headers: headers(session), body: JSON.stringify(body) });

  const openSession = async (base: string): Promise<string> => {
    const init = await post(base, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    expect(init.status).toBe(200);
    await init.text();
    const session = init.headers.get("mcp-session-id") ?? "";
    const initialized = await post(base, { jsonrpc: "2.0", method: "notifications/initialized" }, session);
    expect(initialized.status).toBe(202);
    return session;
  };

  const slowCall = (id: number, steps: number, stepMs: number): Json => ({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "everything-slow", arguments: { steps, stepMs }, _meta: { progressToken: `p${id}` } },
  });

  const messagesOf = (events: readonly SseEvent[]): Json[] =>
    events.filter((event) => event.data !== "").map((event) => JSON.parse(event.data) as Json);

  const progressOf = (messages: readonly Json[]): number[] =>
    messages
      .filter((m) => m.method === "notifications/progress")
      .map((m) => (m.params as { progress: number }).progress);

  /** Starts a call, keeps its first events (the priming one and one progress), then drops the connection. */
  const startAndDrop = async (
    base: string,
    session: string,
    body: Json,
  ): Promise<{ seen: SseEvent[]; lastId: string }> => {
    const response = await post(base, body, session);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = new SseReader(response);
    const seen: SseEvent[] = [];
    const priming = await reader.next();
    expect(priming?.data).toBe("");
    expect(priming?.id).toBeDefined();
    seen.push(priming as SseEvent);
    const first = await reader.next();
    seen.push(first as SseEvent);
    await reader.close();
    return { seen, lastId: (first?.id ?? priming?.id) as string };
  };

  /** Reconnects with Last-Event-ID (as a client does after its stream ended) until the answer to `id` came. */
  const resumeUntilAnswered = async (
    base: string,
    session: string,
    lastId: string,
    id: number,
  ): Promise<{ events: SseEvent[]; attempts: number }> => {
    const events: SseEvent[] = [];
    let last = lastId;
    for (let attempt = 1; attempt <= 60; attempt++) {
      const response = await fetch(`${base}/mcp`, {
        headers: headers(session, { "last-event-id": last }),
      });
      expect(
        response.status,
        await response
          .clone()
          .text()
          .catch(() => ""),
      ).toBe(200);
      const got = await new SseReader(response).rest();
      events.push(...got);
      last = got.at(-1)?.id ?? last;
      if (messagesOf(got).some((m) => m.id === id && !("method" in m))) return { events, attempts: attempt };
      await sleep(150);
    }
    throw new Error(`no answer to ${id} after 60 reconnections`);
  };

  it("resumes a dropped call stream on the same replica: the rest of the progress, then the result", async () => {
    const base = bases[0] as string;
    const session = await openSession(base);
    const { seen, lastId } = await startAndDrop(base, session, slowCall(2, 5, 100));
    const { events } = await resumeUntilAnswered(base, session, lastId, 2);
    const messages = messagesOf([...seen, ...events]);
    expect(progressOf(messages)).toEqual([1, 2, 3, 4, 5]);
    const result = messages.find((m) => m.id === 2) as { result: { content: { text: string }[] } };
    expect(result.result.content[0]?.text).toBe("completed 5 steps");
    // Every event id is unique: nothing was delivered twice.
    const ids = [...seen, ...events].map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("resumes a call stream dropped on one replica on another, with nothing lost or repeated", async () => {
    const [a, b] = bases as [string, string];
    const session = await openSession(a);
    const { seen, lastId } = await startAndDrop(a, session, slowCall(3, 6, 150));
    const { events, attempts } = await resumeUntilAnswered(b, session, lastId, 3);
    // B follows the stream A still serves, in the shared log, until its answer: one reconnection.
    expect(attempts).toBe(1);
    expect(events[0]).toEqual({ id: lastId, data: "" });
    const messages = messagesOf([...seen, ...events]);
    expect(progressOf(messages)).toEqual([1, 2, 3, 4, 5, 6]);
    const result = messages.find((m) => m.id === 3) as { result: { content: { text: string }[] } };
    expect(result.result.content[0]?.text).toBe("completed 6 steps");
    const ids = [...seen, ...events].filter((event) => event.data !== "").map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("answers a resumed call whose replica stopped with an error saying so", async () => {
    const doomed = await startReplica();
    const survivor = bases[1] as string;
    const session = await openSession(doomed);
    const { lastId } = await startAndDrop(doomed, session, slowCall(4, 50, 100));
    await replicas.at(-1)?.stop();
    const { events } = await resumeUntilAnswered(survivor, session, lastId, 4);
    const answer = messagesOf(events).find((m) => m.id === 4) as {
      error?: { code: number; message: string };
    };
    expect(answer.error).toEqual({ code: -32603, message: REPLICA_GONE_MESSAGE });
    // The session itself goes on there.
    const echo = await post(
      survivor,
      {
        jsonrpc: "2.0",
        id: 5,
        method: "tools/call",
        params: { name: "everything-echo", arguments: { message: "on" } },
      },
      session,
    );
    expect(await echo.text()).toContain('"text":"on"');
  });

  it("refuses a Last-Event-ID that is no event id with 400, and replays nothing for an unknown stream", async () => {
    const session = await openSession(bases[0] as string);
    const bad = await fetch(`${bases[0]}/mcp`, {
      headers: headers(session, { "last-event-id": "nonsense" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/Last-Event-ID/);
    const unknown = await fetch(`${bases[1]}/mcp`, {
      headers: headers(session, { "last-event-id": "00000000-0000-4000-8000-000000000000:AAAAAAAA.1" }),
    });
    expect(unknown.status).toBe(200);
    expect(messagesOf(await new SseReader(unknown).rest())).toEqual([]);
  });

  it("lets a second GET stream replace the first one instead of refusing it", async () => {
    const session = await openSession(bases[0] as string);
    const first = await fetch(`${bases[0]}/mcp`, { headers: headers(session) });
    expect(first.status).toBe(200);
    const firstReader = new SseReader(first);
    const second = await fetch(`${bases[0]}/mcp`, { headers: headers(session) });
    expect(second.status).toBe(200);
    // The first one ends; the second one stays open.
    expect(await firstReader.rest()).toEqual([]);
    await second.body?.cancel();
  });

  it("writes a subscription's update to the GET stream open on another replica than the subscription's", async () => {
    const [a, b] = bases as [string, string];
    const session = await openSession(a);
    const stream = await fetch(`${a}/mcp`, { headers: headers(session) });
    expect(stream.status).toBe(200);
    const reader = new SseReader(stream);
    try {
      const subscribed = await post(
        b,
        { jsonrpc: "2.0", id: 6, method: "resources/subscribe", params: { uri: WATCHED } },
        session,
      );
      expect(await subscribed.text()).toContain('"result":{}');
      const touched = await post(
        b,
        {
          jsonrpc: "2.0",
          id: 7,
          method: "tools/call",
          params: { name: "everything-update-watched-resource", arguments: {} },
        },
        session,
      );
      await touched.text();
      let update: Json | undefined;
      while (!update) {
        const event = await reader.next();
        if (!event) throw new Error("the GET stream ended");
        const message = event.data === "" ? {} : (JSON.parse(event.data) as Json);
        if (message.method === "notifications/resources/updated") update = message;
      }
      expect(update.params).toEqual({ uri: WATCHED });
    } finally {
      await reader.close();
    }
  });
});
