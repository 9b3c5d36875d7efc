import { type JSONRPCMessage, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { createMemorySessionEventLog } from "./session-event-log.js";
import { parseEventId, REPLICA_GONE_MESSAGE, SessionEventStore } from "./session-event-store.js";

// The store names events at once and writes them behind: a replay must start right after the
// client's last event, even when that event's write has not landed, and never repeat one.

const transportWithSession = (id: string): WebStandardStreamableHTTPServerTransport => {
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: () => id });
  Object.defineProperty(transport, "sessionId", { value: id });
  return transport;
};

const progress = (n: number) =>
  ({
    jsonrpc: "2.0",
    method: "notifications/progress",
    params: { progressToken: "t", progress: n },
  }) as JSONRPCMessage;

async function replay(store: SessionEventStore, lastId: string): Promise<string[]> {
  const sent: string[] = [];
  await store.replayEventsAfter(lastId, {
    send: async (eventId, message) => {
      sent.push(
        `${eventId} ${JSON.stringify((message as { params?: { progress?: number } }).params?.progress ?? (message as { error?: unknown }).error)}`,
      );
    },
  });
  return sent;
}

describe("SessionEventStore", () => {
  it("names events <stream>:<copy>.<k> and replays what follows the last one the client saw", async () => {
    const log = createMemorySessionEventLog({
      eventsPerStream: 100,
      ttlSeconds: 60,
      maxSessions: 10,
      replica: "r1",
    });
    const store = new SessionEventStore({ log, replica: "r1" });
    store.attach(transportWithSession("session-1"));
    const ids = [];
    for (let n = 1; n <= 4; n++) ids.push(await store.storeEvent("stream-a", progress(n)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ids.map((id) => parseEventId(id)?.k)).toEqual([1, 2, 3, 4]);
    expect(new Set(ids.map((id) => parseEventId(id)?.copy)).size).toBe(1);
    expect(await replay(store, ids[1] as string)).toEqual([`${ids[2]} 3`, `${ids[3]} 4`]);
    expect(await replay(store, ids[3] as string)).toEqual([]);
  });

  it("starts after the copy's latest kept event when the client's last event is not kept", async () => {
    const log = createMemorySessionEventLog({
      eventsPerStream: 100,
      ttlSeconds: 60,
      maxSessions: 10,
      replica: "r1",
    });
    const store = new SessionEventStore({ log, replica: "r1" });
    store.attach(transportWithSession("session-2"));
    const first = await store.storeEvent("stream-b", progress(1));
    await new Promise((resolve) => setImmediate(resolve));
    const copy = parseEventId(first)?.copy;
    // An id of this copy, later than anything kept: nothing to replay, nothing repeated.
    expect(await replay(store, `stream-b:${copy}.7`)).toEqual([]);
    expect(parseEventId("stream-b:short.1")).toBeUndefined();
    expect(parseEventId(`${first}u`)).toBeUndefined();
  });

  it("answers the unanswered requests of a stream whose replica stopped, once, with the reason", async () => {
    const log = createMemorySessionEventLog({
      eventsPerStream: 100,
      ttlSeconds: 60,
      maxSessions: 10,
      replica: "r2",
    });
    // The replica that served the call ("r1") wrote its priming event, then died.
    await log.append("k", "stream-c", { id: "stream-c:AAAAAAAA.1", requests: [7], replica: "r1" });
    const store = new SessionEventStore({ log, replica: "r2" });
    const transport = transportWithSession("session-3");
    store.attach(transport);
    const key = (await import("./session-event-store.js")).sessionEventKey("session-3");
    await log.append(key, "stream-c", { id: "stream-c:AAAAAAAA.1", requests: [7], replica: "r1" });
    const sent = await replay(store, "stream-c:AAAAAAAA.1");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain(REPLICA_GONE_MESSAGE);
    // Kept: the next resumption finds the answer and adds none.
    expect(await replay(store, "stream-c:AAAAAAAA.1")).toEqual(sent);
  });
});
