import type { EventId, EventStore, JSONRPCMessage, StreamId } from "@modelcontextprotocol/server";

/**
 * An in-memory {@link EventStore} that keeps only the newest `capacity` events, so SSE
 * resumption (SEP-1699) works for a reconnecting client without memory growing for the life
 * of a long session. One store per session; it is dropped with the session.
 */
export class BoundedEventStore implements EventStore {
  readonly #capacity: number;
  readonly #events = new Map<EventId, { streamId: StreamId; message: JSONRPCMessage }>();
  #counter = 0;

  constructor(capacity = 128) {
    this.#capacity = capacity;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    this.#counter += 1;
    const eventId = `${streamId}:${this.#counter}`;
    this.#events.set(eventId, { streamId, message });
    if (this.#events.size > this.#capacity) {
      const oldest = this.#events.keys().next();
      if (oldest.done !== true) this.#events.delete(oldest.value);
    }
    return eventId;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.#events.get(eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const streamId =
      this.#events.get(lastEventId)?.streamId ?? lastEventId.slice(0, lastEventId.lastIndexOf(":"));
    let found = false;
    // Map iteration follows insertion order, which is event order.
    for (const [eventId, event] of this.#events) {
      if (eventId === lastEventId) {
        found = true;
      } else if (found && event.streamId === streamId) {
        await send(eventId, event.message);
      }
    }
    return streamId;
  }
}
