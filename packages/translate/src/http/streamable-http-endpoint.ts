import type { IncomingMessage, ServerResponse } from "node:http";
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import type { TranslateLogger } from "../logger.js";
import type { ChildContext } from "../relay/child-channel.js";
import { isRequest, type JsonRpcMessage } from "../relay/json-rpc.js";
import type { SessionRegistry } from "../sessions/session-registry.js";
import { headerOf, readJsonBody, sendJsonRpcError, sendOpenError } from "./http-responses.js";
import { PostAnswer } from "./post-answer.js";
import { StreamableSession } from "./streamable-session.js";
import {
  getHeadersRefusal,
  parseJsonRpcBody,
  postHeadersRefusal,
  protocolVersionRefusal,
  type WireRefusal,
} from "./wire-checks.js";

/** Options of {@link StreamableHttpEndpoint}. */
export interface StreamableHttpEndpointOptions {
  readonly sessions: SessionRegistry;
  /** Answer requests with one JSON body instead of an SSE stream. */
  readonly jsonResponse: boolean;
  /** SSE keep-alive comment interval; 0 disables. */
  readonly keepAliveMs: number;
  /** The child context of the request opening a session (`--header-to-env`). */
  readonly contextOf: (req: IncomingMessage) => ChildContext;
  readonly log: TranslateLogger;
}

/**
 * Streamable HTTP (2025 sessions) on one path, written on `node:http` directly: the bridge relays
 * JSON-RPC, so it checks the wire rules (session header, Accept and Content-Type, protocol version
 * header, message shape) and moves bytes, without the SDK's web-standard transport in between.
 * Each `initialize` opens a relay session (and its child); a POST with requests is answered with an
 * SSE stream that ends after the last response (or one JSON body with `--jsonResponse`); a POST of
 * notifications or responses gets 202; GET opens the session's one standalone stream; DELETE ends
 * the session.
 */
export class StreamableHttpEndpoint {
  readonly #options: StreamableHttpEndpointOptions;
  readonly #sessions = new Map<string, StreamableSession>();

  constructor(options: StreamableHttpEndpointOptions) {
    this.#options = options;
  }

  /** Serves one request to the endpoint path. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method;
    if (method !== "POST" && method !== "GET" && method !== "DELETE") {
      sendJsonRpcError(res, 405, -32000, "Method not allowed.", { Allow: "GET, POST, DELETE" });
      return;
    }
    const sessionId = headerOf(req, "mcp-session-id");
    if (sessionId === undefined) {
      if (method !== "POST") {
        refuse(res, { status: 400, code: -32000, message: "Bad Request: Mcp-Session-Id header is required" });
        return;
      }
      await this.#initialize(req, res);
      return;
    }
    const session = this.#sessions.get(sessionId);
    const relay = session?.relay;
    if (session === undefined || relay === undefined) {
      refuse(res, { status: 404, code: -32001, message: "Session not found" });
      return;
    }
    if (method === "POST") await this.#post(req, res, session, sessionId);
    else if (method === "GET") this.#get(req, res, session, sessionId);
    else {
      const refusal = protocolVersionRefusal(req, SUPPORTED_PROTOCOL_VERSIONS);
      if (refusal !== undefined) {
        refuse(res, refusal);
        return;
      }
      res.writeHead(200).end();
      relay.end("closed by the client");
    }
  }

  /** A POST without a session: only an `initialize`, alone, opens one (and starts a child). */
  async #initialize(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = postHeadersRefusal(req);
    if (headers !== undefined) {
      // Drain the body so the connection can serve the next request.
      req.resume();
      refuse(res, headers);
      return;
    }
    const parsed = await readMessages(req);
    if (!parsed.ok) {
      refuse(res, parsed);
      return;
    }
    const { messages, batch } = parsed;
    const initialize = messages.findIndex(isInitialize);
    if (initialize === -1) {
      refuse(res, { status: 400, code: -32000, message: "Bad Request: Mcp-Session-Id header is required" });
      return;
    }
    if (messages.length > 1) {
      refuse(res, {
        status: 400,
        code: -32600,
        message: "Invalid Request: Only one initialization request is allowed",
      });
      return;
    }
    const session = new StreamableSession(this.#options.log);
    try {
      session.relay = await this.#options.sessions.open(
        "streamable-http",
        {
          deliver: (message, related) => session.deliver(message, related),
          end: (reason) => {
            const relay = session.relay;
            if (relay !== undefined) this.#sessions.delete(relay.id);
            session.close(reason);
          },
        },
        this.#options.contextOf(req),
      );
    } catch (error) {
      this.#options.log("warn", `streamable HTTP session refused: ${(error as Error).message}`);
      sendOpenError(res, error);
      return;
    }
    const id = session.relay.id;
    this.#sessions.set(id, session);
    this.#answer(res, session, id, messages, batch);
  }

  async #post(
    req: IncomingMessage,
    res: ServerResponse,
    session: StreamableSession,
    id: string,
  ): Promise<void> {
    const refusal = postHeadersRefusal(req) ?? protocolVersionRefusal(req, SUPPORTED_PROTOCOL_VERSIONS);
    if (refusal !== undefined) {
      req.resume();
      refuse(res, refusal);
      return;
    }
    const parsed = await readMessages(req);
    if (!parsed.ok) {
      refuse(res, parsed);
      return;
    }
    if (parsed.messages.some(isInitialize)) {
      refuse(res, { status: 400, code: -32600, message: "Invalid Request: Server already initialized" });
      return;
    }
    // The session may have ended while the body was read.
    if (this.#sessions.get(id) !== session) {
      refuse(res, { status: 404, code: -32001, message: "Session not found" });
      return;
    }
    this.#answer(res, session, id, parsed.messages, parsed.batch);
  }

  /** 202 for notifications and responses only; otherwise a {@link PostAnswer} for the requests. */
  #answer(
    res: ServerResponse,
    session: StreamableSession,
    id: string,
    messages: readonly JsonRpcMessage[],
    batch: boolean,
  ): void {
    const relay = session.relay;
    if (relay === undefined) return;
    if (!messages.some(isRequest)) {
      res.writeHead(202, { "mcp-session-id": id }).end();
      for (const message of messages) relay.send(message);
      return;
    }
    const answer: PostAnswer = new PostAnswer(res, messages, batch, {
      json: this.#options.jsonResponse,
      keepAliveMs: this.#options.keepAliveMs,
      headers: { "mcp-session-id": id },
      onDone: () => session.untrack(answer),
    });
    session.track(answer);
    for (const message of messages) relay.send(message);
  }

  #get(req: IncomingMessage, res: ServerResponse, session: StreamableSession, id: string): void {
    const refusal = getHeadersRefusal(req) ?? protocolVersionRefusal(req, SUPPORTED_PROTOCOL_VERSIONS);
    if (refusal !== undefined) {
      refuse(res, refusal);
      return;
    }
    if (session.hasStandaloneStream) {
      refuse(res, {
        status: 409,
        code: -32000,
        message: "Conflict: Only one SSE stream is allowed per session",
      });
      return;
    }
    session.openStandaloneStream(res, { "mcp-session-id": id }, this.#options.keepAliveMs);
  }
}

function isInitialize(message: JsonRpcMessage): boolean {
  return message.method === "initialize" && isRequest(message);
}

async function readMessages(req: IncomingMessage): Promise<ReturnType<typeof parseJsonRpcBody>> {
  const body = await readJsonBody(req);
  if (!body.ok) return { ok: false, status: body.status, code: body.code, message: body.message };
  return parseJsonRpcBody(body.value);
}

function refuse(res: ServerResponse, refusal: WireRefusal): void {
  sendJsonRpcError(res, refusal.status, refusal.code, refusal.message);
}
