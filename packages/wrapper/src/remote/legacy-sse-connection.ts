import { type JSONRPCMessage, SSEClientTransport, SseError } from "@modelcontextprotocol/client";
import type { JsonRpcMessage } from "../json-rpc/json-rpc.js";
import { WrapperError } from "../wrapper-error.js";
import type { RemoteConnection, RemoteEvents, RemoteTarget } from "./remote-connection.js";
import { remoteFetch } from "./remote-fetch.js";

/**
 * A session over the deprecated HTTP+SSE transport (protocol 2024-11-05), on the SDK's
 * `SSEClientTransport`: GET the URL, wait for the `endpoint` event, POST messages there; every
 * answer comes on the GET stream. A reconnected stream would belong to a new, uninitialized
 * session, so a dropped stream ends the connection and the relay re-initializes on a fresh one.
 */
export class LegacySseConnection implements RemoteConnection {
  readonly kind = "sse" as const;
  readonly #transport: SSEClientTransport;
  #started = false;
  #lost = false;

  private constructor(target: RemoteTarget, events: RemoteEvents) {
    this.#transport = new SSEClientTransport(target.url, {
      requestInit: { headers: { ...target.headers } },
      fetch: remoteFetch(),
    });
    this.#transport.onmessage = (message) => events.onMessage(message as JsonRpcMessage, this);
    this.#transport.onerror = (error) => {
      if (error instanceof SseError && this.#started && !this.#lost) {
        this.#lost = true;
        // Stop the EventSource from reconnecting into a session nobody initialized.
        void this.#transport.close();
        events.onLost(this, error);
      } else {
        events.onDiagnostic(error);
      }
    };
  }

  /** Opens the SSE stream and waits (at most `timeoutMs`) for the `endpoint` event. */
  static async open(
    target: RemoteTarget,
    events: RemoteEvents,
    timeoutMs: number,
  ): Promise<LegacySseConnection> {
    const connection = new LegacySseConnection(target, events);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new WrapperError("timeout", "no SSE endpoint event from the remote")),
        timeoutMs,
      );
    });
    try {
      await Promise.race([connection.#transport.start(), timeout]);
      connection.#started = true;
      return connection;
    } catch (error) {
      await connection.#transport.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  get lost(): boolean {
    return this.#lost;
  }

  send(message: JsonRpcMessage): Promise<void> {
    return this.#transport.send(message as JSONRPCMessage);
  }

  setProtocolVersion(version: string): void {
    this.#transport.setProtocolVersion(version);
  }

  /** The SSE transport has no DELETE; the session ends with its stream. */
  async terminate(): Promise<void> {}

  close(): Promise<void> {
    return this.#transport.close();
  }
}
