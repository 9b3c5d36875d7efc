import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { BoundedEventStore } from "./bounded-event-store.js";

const ping = (id: number): JSONRPCMessage => ({ jsonrpc: "2.0", id, method: "ping" });

async function replay(store: BoundedEventStore, after: string): Promise<{ stream: string; ids: unknown[] }> {
  const ids: unknown[] = [];
  const stream = await store.replayEventsAfter(after, {
    send: async (_eventId, message) => {
      ids.push((message as { id: unknown }).id);
    },
  });
  return { stream, ids };
}

describe("BoundedEventStore", () => {
  it("replays the events of the same stream after the given one", async () => {
    const store = new BoundedEventStore();
    const first = await store.storeEvent("a", ping(1));
    await store.storeEvent("b", ping(2));
    await store.storeEvent("a", ping(3));
    expect(await replay(store, first)).toEqual({ stream: "a", ids: [3] });
    expect(await store.getStreamIdForEventId(first)).toBe("a");
  });

  it("forgets the oldest events past its capacity", async () => {
    const store = new BoundedEventStore(2);
    const first = await store.storeEvent("a", ping(1));
    const second = await store.storeEvent("a", ping(2));
    await store.storeEvent("a", ping(3));
    expect(await store.getStreamIdForEventId(first)).toBeUndefined();
    expect(await replay(store, second)).toEqual({ stream: "a", ids: [3] });
  });
});
