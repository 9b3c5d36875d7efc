import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import type { TranslateLogger } from "../logger.js";
import type { ChildChannel, ChildConnector, ChildContext, ProtocolEra } from "../relay/child-channel.js";
import { errorResponse, hasVersionClaim, isRequest } from "../relay/json-rpc.js";
import { TranslateError } from "../translate-error.js";
import { readJsonBody, sendJsonRpcError, sendOpenError } from "./http-responses.js";
import { PostAnswer } from "./post-answer.js";
import { parseJsonRpcBody, postHeadersRefusal, protocolVersionRefusal } from "./wire-checks.js";

/** The stateless revisions, on top of the SDK's 2025 list, accepted in `MCP-Protocol-Version`. */
const STATELESS_PROTOCOL_VERSIONS: readonly string[] = [...SUPPORTED_PROTOCOL_VERSIONS, "2026-07-28"];

/** Options of {@link StatelessHttpEndpoint}. */
export interface StatelessHttpEndpointOptions {
  /** Shared children, multiplexed by JSON-RPC id. */
  readonly connector: ChildConnector;
  /** Answer with one JSON body instead of an SSE stream. */
  readonly jsonResponse: boolean;
  /** SSE keep-alive comment interval; 0 disables. */
  readonly keepAliveMs: number;
  /** POSTs served at once (`--max-sessions`); the next gets 503. */
  readonly maxRequests: number;
  /** The child context of a request in an era (`--header-to-env`). */
  readonly contextOf: (req: IncomingMessage, era: ProtocolEra) => ChildContext;
  readonly log: TranslateLogger;
}

/**
 * Streamable HTTP without sessions (`--stateless`): the 2026-07-28 wire, and the 2025 stateless
 * mode. Every POST is served on its own, without `Mcp-Session-Id`, by a shared child (one per era
 * and `--header-to-env` values, never one per request). The POST's messages form a short-lived
 * session of that child: its responses, progress and server-to-client requests come back on the
 * POST's stream, and closing the stream cancels what it asked. GET and DELETE have no session to
 * act on: 405.
 */
export class StatelessHttpEndpoint {
  readonly #options: StatelessHttpEndpointOptions;
  readonly #active = new Set<() => void>();
  #closed = false;

  constructor(options: StatelessHttpEndpointOptions) {
    this.#options = options;
  }

  /** POSTs being served now. */
  get size(): number {
    return this.#active.size;
  }

  /** Serves one request to the endpoint path. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { connector, maxRequests, log } = this.#options;
    if (req.method !== "POST") {
      sendJsonRpcError(res, 405, -32000, "Method not allowed: this endpoint is stateless (POST only).", {
        Allow: "POST",
      });
      return;
    }
    if (this.#closed) {
      sendOpenError(res, new TranslateError("child_unavailable", "mcptranslate is shutting down"));
      return;
    }
    if (this.#active.size >= maxRequests) {
      sendOpenError(
        res,
        new TranslateError("session_limit", `request limit reached (${maxRequests} running)`),
      );
      return;
    }
    const refusal = postHeadersRefusal(req) ?? protocolVersionRefusal(req, STATELESS_PROTOCOL_VERSIONS);
    if (refusal !== undefined) {
      req.resume();
      sendJsonRpcError(res, refusal.status, refusal.code, refusal.message);
      return;
    }
    const body = await readJsonBody(req);
    if (!body.ok) {
      sendJsonRpcError(res, body.status, body.code, body.message);
      return;
    }
    const parsed = parseJsonRpcBody(body.value);
    if (!parsed.ok) {
      sendJsonRpcError(res, parsed.status, parsed.code, parsed.message);
      return;
    }
    const { messages, batch } = parsed;
    const era: ProtocolEra = messages.some(hasVersionClaim) ? "modern" : "legacy";
    const hasRequests = messages.some(isRequest);

    let channel: ChildChannel | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      this.#active.delete(finish);
      // Requests still unanswered are cancelled in the child: a closed stream is a cancel.
      channel?.close();
      answer?.fail(-32603, "mcptranslate is shutting down");
    };
    const answer = hasRequests
      ? new PostAnswer(res, messages, batch, {
          json: this.#options.jsonResponse,
          keepAliveMs: this.#options.keepAliveMs,
          headers: {},
          onDone: finish,
        })
      : undefined;
    this.#active.add(finish);
    try {
      channel = await connector.open(
        randomUUID(),
        {
          deliver: (message) => {
            if (answer === undefined) return;
            if (!answer.streams && isRequest(message)) {
              // A JSON body carries the response only: the child hears at once that nobody will answer.
              const refusal = "mcptranslate --jsonResponse: server-to-client requests cannot be delivered";
              channel?.send(errorResponse(message.id, -32603, refusal));
              return;
            }
            if (!answer.deliver(message)) log("debug", "dropped a server message: its stream is gone");
          },
          lost: (reason) => answer?.fail(-32603, `the stdio server is gone (${reason})`),
        },
        this.#options.contextOf(req, era),
      );
    } catch (error) {
      this.#active.delete(finish);
      finished = true;
      log("warn", `stateless request refused: ${(error as Error).message}`);
      sendOpenError(res, error);
      return;
    }
    if (finished) {
      // Closed (or the client went away) while the child was being opened.
      channel.close();
      return;
    }
    if (answer === undefined) res.writeHead(202).end();
    for (const message of messages) channel.send(message);
    // Only notifications or responses: answered 202 already, nothing to wait for.
    if (answer === undefined) finish();
  }

  /** Refuses new requests and ends the running ones. */
  close(): void {
    this.#closed = true;
    for (const finish of [...this.#active]) finish();
  }
}
