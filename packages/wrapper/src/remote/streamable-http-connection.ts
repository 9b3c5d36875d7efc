import {
  type JSONRPCMessage,
  SdkHttpError,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import type { JsonRpcMessage } from "../json-rpc/json-rpc.js";
import type { RemoteConnection, RemoteEvents, RemoteSendOptions, RemoteTarget } from "./remote-connection.js";
import { remoteFetch } from "./remote-fetch.js";

/**
 * A session over the streamable HTTP transport, on the SDK's `StreamableHTTPClientTransport`:
 * it keeps `Mcp-Session-Id` from the initialize answer, sends `MCP-Protocol-Version`, opens the
 * GET stream after `notifications/initialized`, resumes broken SSE streams with `Last-Event-ID`,
 * and derives the 2026 `Mcp-Method`/`Mcp-Name` headers from a request's `_meta` claim.
 */
export class StreamableHttpConnection implements RemoteConnection {
  readonly kind = "streamable-http" as const;
  readonly #transport: StreamableHTTPClientTransport;
  #lost = false;

  private constructor(target: RemoteTarget, events: RemoteEvents) {
    this.#transport = new StreamableHTTPClientTransport(target.url, {
      requestInit: { headers: { ...target.headers } },
      fetch: remoteFetch(),
    });
    this.#transport.onmessage = (message) => events.onMessage(message as JsonRpcMessage, this);
    this.#transport.onerror = (error) => {
      // The GET stream of a session the server no longer knows (it restarted): 404.
      if (SdkHttpError.isInstance(error) && error.status === 404 && !this.#lost) {
        this.#lost = true;
        events.onLost(this, error);
      } else {
        events.onDiagnostic(error);
      }
    };
  }

  /** A started connection; no HTTP request is made until the first message. */
  static open(target: RemoteTarget, events: RemoteEvents): StreamableHttpConnection {
    const connection = new StreamableHttpConnection(target, events);
    // start() only arms the transport's abort controller; it makes no request and cannot fail here.
    connection.#transport.start().catch((error: unknown) => events.onDiagnostic(error));
    return connection;
  }

  get lost(): boolean {
    return this.#lost;
  }

  send(message: JsonRpcMessage, options: RemoteSendOptions = {}): Promise<void> {
    return this.#transport.send(message as JSONRPCMessage, {
      ...(options.signal ? { requestSignal: options.signal } : {}),
      ...(options.onStreamEnd ? { onRequestStreamEnd: options.onStreamEnd } : {}),
    });
  }

  setProtocolVersion(version: string): void {
    this.#transport.setProtocolVersion(version);
  }

  async terminate(): Promise<void> {
    if (this.#transport.sessionId !== undefined && !this.#lost) await this.#transport.terminateSession();
  }

  close(): Promise<void> {
    return this.#transport.close();
  }
}
