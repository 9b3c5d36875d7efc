import type { IncomingMessage, ServerResponse } from "node:http";
import type { TranslateLogger } from "../logger.js";
import type { ChildContext } from "../relay/child-channel.js";
import { isJsonRpcMessage, type JsonRpcMessage } from "../relay/json-rpc.js";
import type { RelaySession, SessionRegistry } from "../sessions/session-registry.js";
import { readJsonBody, sendJsonRpcError, sendOpenError } from "./http-responses.js";
import { SSE_HEADERS, sseMessageEvent } from "./sse-writer.js";

/** Options of {@link SseEndpoint}. */
export interface SseEndpointOptions {
  readonly sessions: SessionRegistry;
  /** The POST path announced in the `endpoint` event. */
  readonly messagePath: string;
  /** Keep-alive comment interval; 0 disables. */
  readonly keepAliveMs: number;
  /** The child context of the request opening a session (`--header-to-env`). */
  readonly contextOf: (req: IncomingMessage) => ChildContext;
  readonly log: TranslateLogger;
}

/**
 * The 2024-11-05 HTTP+SSE transport: `GET <ssePath>` opens a session whose first event is
 * `endpoint` (the POST URL with `?sessionId=`), then one `message` event per server message;
 * `POST <messagePath>?sessionId=` takes client messages and answers 202. The session ends when
 * the stream closes.
 */
export class SseEndpoint {
  readonly #options: SseEndpointOptions;
  readonly #sessions = new Map<string, RelaySession>();

  constructor(options: SseEndpointOptions) {
    this.#options = options;
  }

  /** `GET <ssePath>`: opens a session and holds its event stream. */
  async openStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let keepAlive: NodeJS.Timeout | undefined;
    let session: RelaySession;
    try {
      session = await this.#options.sessions.open(
        "sse",
        {
          deliver: (message) => {
            res.write(sseMessageEvent(message));
          },
          end: () => {
            clearInterval(keepAlive);
            this.#sessions.delete(session.id);
            res.end();
          },
        },
        this.#options.contextOf(req),
      );
    } catch (error) {
      this.#options.log("warn", `SSE session refused: ${(error as Error).message}`);
      sendOpenError(res, error);
      return;
    }
    this.#sessions.set(session.id, session);
    res.writeHead(200, SSE_HEADERS);
    res.write(`event: endpoint\ndata: ${this.#options.messagePath}?sessionId=${session.id}\n\n`);
    if (this.#options.keepAliveMs > 0) {
      keepAlive = setInterval(() => res.write(": keepalive\n\n"), this.#options.keepAliveMs);
      keepAlive.unref();
    }
    res.on("close", () => session.end("the event stream closed"));
    if (req.destroyed) session.end("the event stream closed");
  }

  /** `POST <messagePath>?sessionId=`: forwards the body (a message or a batch) and answers 202. */
  async postMessage(req: IncomingMessage, res: ServerResponse, sessionId: string | null): Promise<void> {
    if (sessionId === null) {
      sendJsonRpcError(res, 400, -32000, "Bad Request: the sessionId query parameter is required");
      return;
    }
    const session = this.#sessions.get(sessionId);
    if (!session) {
      sendJsonRpcError(res, 404, -32001, "Session not found");
      return;
    }
    const body = await readJsonBody(req);
    if (!body.ok) {
      sendJsonRpcError(res, body.status, body.code, body.message);
      return;
    }
    const messages: unknown[] = Array.isArray(body.value) ? body.value : [body.value];
    if (messages.length === 0 || !messages.every(isJsonRpcMessage)) {
      sendJsonRpcError(res, 400, -32600, "Invalid Request: expected a JSON-RPC message");
      return;
    }
    // The child hears first: its answer comes on the event stream, not on this response.
    for (const message of messages as JsonRpcMessage[]) session.send(message);
    res.writeHead(202, { "Content-Type": "text/plain" }).end("Accepted");
  }
}
