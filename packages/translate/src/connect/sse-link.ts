import {
  type FetchLike,
  type JSONRPCMessage,
  SSEClientTransport,
  SseError,
} from "@modelcontextprotocol/client";
import type { TranslateLogger } from "../logger.js";
import type { JsonRpcMessage } from "../relay/json-rpc.js";
import {
  fromStatus,
  type RemoteLink,
  RemoteLinkError,
  type RemoteLinkEvents,
  unreachable,
} from "./remote-link.js";

/** Options of {@link SseLink}. */
export interface SseLinkOptions {
  readonly url: URL;
  /** Sent on the GET stream and every POST (`--header`, `--oauth2Bearer`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly events: RemoteLinkEvents;
  readonly log: TranslateLogger;
}

/**
 * The 2024-11-05 HTTP+SSE transport to the remote, through the SDK's client transport: a GET
 * event stream whose `endpoint` event names the POST URL. The session lives as long as the stream,
 * so a broken stream is a lost session; the link then closes itself (the event source would
 * otherwise reconnect on its own into a new, uninitialized session).
 */
export class SseLink implements RemoteLink {
  readonly reconnectIsNewSession = true;
  readonly #transport: SSEClientTransport;
  readonly #events: RemoteLinkEvents;
  readonly #log: TranslateLogger;
  #open = false;
  #closed = false;

  constructor(options: SseLinkOptions) {
    this.#events = options.events;
    this.#log = options.log;
    this.#transport = new SSEClientTransport(options.url, {
      requestInit: { headers: { ...options.headers } },
      fetch: classifyingPosts,
    });
    this.#transport.onmessage = (message) => this.#events.message(message as unknown as JsonRpcMessage);
    this.#transport.onerror = (error) => {
      if (!(error instanceof SseError)) return;
      if (this.#open && !this.#closed) {
        void this.close(false);
        this.#events.dropped(`the SSE stream broke: ${error.message || "connection lost"}`, true);
      }
    };
  }

  async open(): Promise<boolean> {
    try {
      await this.#transport.start();
    } catch (error) {
      await this.close(false);
      if (error instanceof SseError && typeof error.code === "number") {
        throw fromStatus(error.code, "GET event stream");
      }
      throw unreachable(error, "GET event stream");
    }
    this.#open = true;
    return true;
  }

  async send(message: JsonRpcMessage): Promise<void> {
    try {
      await this.#transport.send(message as unknown as JSONRPCMessage);
    } catch (error) {
      if (error instanceof RemoteLinkError) throw error;
      throw new RemoteLinkError("unreachable", `POST: ${(error as Error).message}`, { cause: error });
    }
  }

  setProtocolVersion(version: string): void {
    this.#transport.setProtocolVersion(version);
  }

  async close(_endSession: boolean): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // The session ends with its stream; there is nothing else to end.
    await this.#transport.close().catch((error: unknown) => {
      this.#log("debug", `closing the SSE stream: ${(error as Error).message}`);
    });
  }
}

/** `fetch` whose failed POSTs reject with a classified {@link RemoteLinkError}. */
const classifyingPosts: FetchLike = async (input, init) => {
  const post = init?.method === "POST";
  let response: Response;
  try {
    response = await fetch(input, init);
  } catch (error) {
    if (post && (error as Error).name !== "AbortError") throw unreachable(error, "POST");
    throw error;
  }
  if (post && !response.ok) {
    await response.body?.cancel();
    throw fromStatus(response.status, "POST");
  }
  return response;
};
