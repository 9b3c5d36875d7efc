import { createHash, randomBytes } from "node:crypto";
import type {
  EventId,
  EventStore,
  JSONRPCMessage,
  StreamId,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { isJsonObject } from "./json-object.js";
import {
  type SessionEvent,
  type SessionEventLog,
  STANDALONE_STREAM,
  type StreamRequestId,
} from "./session-event-log.js";

type Json = Record<string, unknown>;

const isResponse = (message: unknown): message is Json =>
  isJsonObject(message) && !("method" in message) && ("result" in message || "error" in message);

/** How often a followed stream looks for new events in the log. */
const FOLLOW_POLL_MS = 250;

/** Seconds between keep-alive comments on a followed stream. */
const FOLLOW_KEEPALIVE_MS = 15_000;

/** An SSE event as the SDK transport writes it. */
const sseEvent = (id: string, message: unknown): string =>
  `event: message\nid: ${id}\ndata: ${JSON.stringify(message)}\n\n`;

/** How long the store stops asking a failing log before trying it again. */
const RETRY_LOG_AFTER_MS = 1_000;

/** What the answer to a request says when the replica serving it stopped before answering. */
export const REPLICA_GONE_MESSAGE =
  "The gateway replica serving this request stopped before answering; the request may or may not have run";

/** The key of a session in the event log: short, and not the session id (a sealed token). */
export function sessionEventKey(sessionId: string): string {
  return createHash("sha256").update(sessionId).digest("base64url").slice(0, 22);
}

/**
 * Whether every request of a stream has its answer among `events` (the requests are named by the
 * stream's priming event; without one, any answer ends it).
 */
function answered(events: readonly SessionEvent[]): boolean {
  const responses = new Set(
    events.map((event) => (isResponse(event.message) ? event.message.id : undefined)),
  );
  responses.delete(undefined);
  const requests = events.find((event) => event.requests !== undefined)?.requests;
  return requests === undefined ? responses.size > 0 : requests.every((id) => responses.has(id));
}

/** A parsed event id: `<stream id>:<copy tag>.<k>`, k counting the events that copy named. */
export interface ParsedEventId {
  readonly streamId: string;
  readonly copy: string;
  readonly k: number;
}

/** The parts of an event id of this store, or undefined for anything else. */
export function parseEventId(eventId: string): ParsedEventId | undefined {
  const match = /^(.+):([A-Za-z0-9_-]{8})\.(\d{1,15})$/.exec(eventId);
  if (!match) return undefined;
  return { streamId: match[1] as string, copy: match[2] as string, k: Number(match[3]) };
}

/**
 * Where the events after `last` start in a stream's kept events: after `last` itself, or, when it
 * is not (yet) kept, after the latest event its copy named before it.
 */
function resumeIndex(events: readonly SessionEvent[], last: ParsedEventId, lastId: string): number {
  const exact = events.findIndex((event) => event.id === lastId);
  if (exact >= 0) return exact + 1;
  for (let index = events.length - 1; index >= 0; index--) {
    const parsed = parseEventId((events[index] as SessionEvent).id);
    if (parsed && parsed.copy === last.copy && parsed.k <= last.k) return index + 1;
  }
  return 0;
}

/**
 * The client's requests a POST stream answers, read from the transport. The SDK keeps this map
 * private and offers no accessor; without it (another SDK version) a stream's requests are
 * unknown and a resumed stream whose replica died is left for the client's timeout.
 */
function requestsOnStream(
  transport: WebStandardStreamableHTTPServerTransport,
  streamId: string,
): StreamRequestId[] | undefined {
  const mapping = (transport as unknown as { _requestToStreamMapping?: unknown })._requestToStreamMapping;
  if (!(mapping instanceof Map)) return undefined;
  const requests: StreamRequestId[] = [];
  for (const [id, stream] of mapping)
    if (stream === streamId && (typeof id === "string" || typeof id === "number")) requests.push(id);
  return requests;
}

/** Options of {@link SessionEventStore}. */
export interface SessionEventStoreOptions {
  readonly log: SessionEventLog;
  /** This replica's id (stamped on every event it writes). */
  readonly replica: string;
  /** Told when the log fails (then every 1 s at most while it keeps failing). */
  readonly onLogError?: (error: unknown) => void;
}

/** Options of {@link SessionEventStore}. */
export interface SessionEventStoreOptions {
  readonly log: SessionEventLog;
  /** This replica's id (stamped on every event it writes). */
  readonly replica: string;
  /** Told when the log fails (then every 1 s at most while it keeps failing). */
  readonly onLogError?: (error: unknown) => void;
}

/**
 * The SDK transport's event store for one copy of a 2025 session: every event of its SSE streams
 * goes to the {@link SessionEventLog}, so a client that lost a stream resumes it with
 * `Last-Event-ID` on this replica or, with a shared log, on any other. Writes are not awaited
 * (one replica's appends stay in order): keeping events adds no round trip to a call, and a
 * client reconnects after a delay, by which time the write is in. A resumed request stream whose
 * replica is gone gets, for each request still unanswered, an error saying so, instead of waiting
 * for an answer that will never come. While the log fails, events still flow, with ids that
 * cannot be resumed: resumption is lost, never a message.
 */
export class SessionEventStore implements EventStore {
  readonly #options: SessionEventStoreOptions;
  /** Names this copy in its event ids, so a copy rebuilt later never reuses an id. */
  readonly #copy = randomBytes(6).toString("base64url");
  #transport: WebStandardStreamableHTTPServerTransport | undefined;
  #named = 0;
  #skipLogUntil = 0;

  constructor(options: SessionEventStoreOptions) {
    this.#options = options;
  }

  /** The transport this store serves (it names the session and knows each stream's requests). */
  attach(transport: WebStandardStreamableHTTPServerTransport): void {
    this.#transport = transport;
  }

  // No `getStreamIdForEventId`: with it the SDK refuses (409) a reconnection while it still
  // thinks the dropped connection open; without it the new connection takes the stream over,
  // which is what a client that reconnects needs. Ids are checked before the SDK sees them.

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = this.#nextId(streamId);
    const session = this.#session();
    // An id ending in "u" parses as no event of this store: the client cannot resume from it.
    if (session === undefined || Date.now() < this.#skipLogUntil) return `${id}u`;
    // The SDK primes a stream with an empty message: the event that carries its first id.
    const priming = Object.keys(message).length === 0;
    const requests =
      priming && streamId !== STANDALONE_STREAM && this.#transport
        ? requestsOnStream(this.#transport, streamId)
        : undefined;
    this.#options.log
      .append(session, streamId, {
        id,
        ...(priming ? {} : { message }),
        ...(requests === undefined ? {} : { requests }),
        replica: this.#options.replica,
      })
      .catch((error: unknown) => {
        this.#skipLogUntil = Date.now() + RETRY_LOG_AFTER_MS;
        this.#options.onLogError?.(error);
      });
    return id;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const last = parseEventId(lastEventId);
    const session = this.#session();
    if (!last || session === undefined) throw new Error(`unknown event id ${JSON.stringify(lastEventId)}`);
    const events = await this.#options.log.read(session, last.streamId);
    for (const event of events.slice(resumeIndex(events, last, lastEventId)))
      if (event.message !== undefined) await send(event.id, event.message as JSONRPCMessage);
    if (last.streamId !== STANDALONE_STREAM) await this.#answerOrphans(session, last.streamId, events, send);
    return last.streamId;
  }

  /** Unanswered requests of a stream whose replica is gone get an error answer (kept, then sent). */
  async #answerOrphans(
    session: string,
    streamId: string,
    events: readonly SessionEvent[],
    send: (eventId: EventId, message: JSONRPCMessage) => Promise<void>,
    servedHere = true,
  ): Promise<boolean> {
    const opening = events.find((event) => event.requests !== undefined);
    if (!opening?.requests || (opening.replica === this.#options.replica && servedHere)) return false;
    const answered = new Set(
      events.map((event) => (isResponse(event.message) ? event.message.id : undefined)),
    );
    const pending = opening.requests.filter((id) => !answered.has(id));
    if (pending.length === 0) return false;
    // Served by this replica, by a copy of the session that is gone: nothing will answer either.
    if (opening.replica !== this.#options.replica && (await this.#options.log.isRunning(opening.replica)))
      return false;
    for (const id of pending) {
      const message = {
        jsonrpc: "2.0",
        id,
        error: { code: -32603, message: REPLICA_GONE_MESSAGE },
      } as JSONRPCMessage;
      const eventId = this.#nextId(streamId);
      await this.#options.log.append(session, streamId, {
        id: eventId,
        message,
        replica: this.#options.replica,
      });
      await send(eventId, message);
    }
    return true;
  }

  /**
   * The SSE body resuming request stream `lastEventId` names when this copy's transport does not
   * serve that stream (another replica does, or did): what the log holds after it, then what the
   * serving replica adds (the log is read every 250 ms), until every request of the stream is
   * answered, or the replica serving them is gone (an error answer each). It opens with a priming
   * event carrying `lastEventId` again, so a client whose stream ends before anything new came
   * still knows where it is. Undefined when this copy serves the stream (the SDK resumes it).
   */
  follow(lastEventId: string): ReadableStream<Uint8Array> | undefined {
    const last = parseEventId(lastEventId);
    const session = this.#session();
    if (!last || session === undefined || last.streamId === STANDALONE_STREAM || !this.#transport)
      return undefined;
    if ((requestsOnStream(this.#transport, last.streamId) ?? []).length > 0) return undefined;
    const { streamId } = last;
    const encoder = new TextEncoder();
    let closed = false;
    let controller: ReadableStreamDefaultController<Uint8Array>;
    const write = (text: string): void => {
      if (!closed) controller.enqueue(encoder.encode(text));
    };
    const run = async (): Promise<void> => {
      write(`id: ${lastEventId}\ndata: \n\n`);
      const sent = new Set<string>();
      let position = { id: lastEventId, parsed: last };
      let quietSince = Date.now();
      while (!closed) {
        const events = await this.#options.log.read(session, streamId);
        // A stream the log does not know (expired, or never kept): nothing will come.
        if (events.length === 0) return;
        for (const event of events.slice(resumeIndex(events, position.parsed, position.id))) {
          if (event.message !== undefined && !sent.has(event.id)) {
            sent.add(event.id);
            write(sseEvent(event.id, event.message));
            quietSince = Date.now();
          }
          position = { id: event.id, parsed: parseEventId(event.id) ?? position.parsed };
        }
        if (answered(events)) return;
        const orphaned = await this.#answerOrphans(
          session,
          streamId,
          events,
          async (eventId, message) => {
            sent.add(eventId);
            write(sseEvent(eventId, message));
          },
          false,
        );
        if (orphaned) return;
        if (Date.now() - quietSince >= FOLLOW_KEEPALIVE_MS) {
          write(": keepalive\n\n");
          quietSince = Date.now();
        }
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
      }
    };
    return new ReadableStream<Uint8Array>({
      start: (streamController) => {
        controller = streamController;
        void run()
          .catch(() => {
            // The log failed: end the stream, the client comes back with its last event id.
          })
          .finally(() => {
            if (closed) return;
            closed = true;
            controller.close();
          });
      },
      cancel: () => {
        closed = true;
      },
    });
  }

  #nextId(streamId: string): string {
    this.#named += 1;
    return `${streamId}:${this.#copy}.${this.#named}`;
  }

  #session(): string | undefined {
    const id = this.#transport?.sessionId;
    return id === undefined ? undefined : sessionEventKey(id);
  }
}
