import { randomUUID } from "node:crypto";
import { type JSONRPCMessage, parseJSONRPCMessage, type Server } from "@modelcontextprotocol/server";
import type { Context } from "hono";
import type { GatewayEnv } from "../../auth/principal.js";
import type { McpRouter, McpView } from "../router.js";
import type { SubscriptionHub } from "../subscription-hub.js";
import { idOf, JSON_RPC_INVALID_REQUEST, JSON_RPC_PARSE_ERROR, jsonRpcError } from "./json-rpc-error.js";
import { createLegacySessionServer, directCallsOf } from "./legacy-session-server.js";
import { SseServerTransport } from "./sse-server-transport.js";

/** Options of the HTTP+SSE endpoint. */
export interface SseOptions {
  readonly router: McpRouter;
  /** Relays resource subscriptions and list changes to the sessions. */
  readonly hub: SubscriptionHub;
  readonly version: string;
  /** Milliseconds between keep-alive comments on an open stream. */
  readonly keepaliveIntervalMs: number;
  /** Prefix of the posted-message URL when served under a sub-path (`APP_ROOT_PATH`). */
  readonly rootPath: string;
}

/** The legacy HTTP+SSE endpoints: Hono handlers, the open session count, and `close()`. */
export interface SseEndpoint {
  /** `GET /sse`, `GET /servers/{id}/sse`: opens a session and its stream. */
  open(c: Context<GatewayEnv>, serverId: string | undefined): Promise<Response>;
  /** `POST /message?session_id=`, `POST /servers/{id}/message?session_id=`. */
  post(c: Context<GatewayEnv>, serverId: string | undefined): Promise<Response>;
  /** The number of open sessions. */
  readonly size: number;
  close(): Promise<void>;
}

interface SseSession {
  readonly server: Server;
  readonly transport: SseServerTransport;
  /** Who opened it and through which endpoint: another caller or path never reaches it. */
  readonly owner: string;
  readonly scope: string;
}

/**
 * The 2024-11-05 HTTP+SSE wire (what older clients speak; the SDK server negotiates 2024-11-05
 * when asked). One SDK server per stream; the session ends when the stream does, which aborts
 * its calls in flight. A `session_id` is bound to its principal and endpoint, as on `/mcp`:
 * missing 400, unknown or someone else's 404.
 */
export function createSseEndpoint(options: SseOptions): SseEndpoint {
  const { router, version } = options;
  const sessions = new Map<string, SseSession>();

  const reject = (status: 400 | 404, code: number, message: string, id: string | number | null = null) =>
    Response.json(jsonRpcError(code, message, id), { status });

  return {
    get size() {
      return sessions.size;
    },

    async open(c, serverId) {
      const view: McpView = { serverId, principal: c.get("principal") };
      await router.checkView(view);
      const id = randomUUID();
      const scope = serverId === undefined ? "" : `/servers/${encodeURIComponent(serverId)}`;
      const transport = new SseServerTransport(
        id,
        `${options.rootPath}${scope}/message?session_id=${id}`,
        options.keepaliveIntervalMs,
      );
      const server = createLegacySessionServer(router, options.hub, view, version);
      sessions.set(id, { server, transport, owner: c.get("principal").subject, scope: serverId ?? "" });
      const release = server.onclose;
      server.onclose = () => {
        sessions.delete(id);
        release?.();
      };
      await server.connect(transport);
      // The node server aborts the request when the client goes away; the stream may also be
      // cancelled directly. Either ends the session.
      c.req.raw.signal.addEventListener("abort", () => void server.close(), { once: true });
      return new Response(transport.stream, {
        headers: {
          "content-type": "text/event-stream",
          "cache-control": "no-cache, no-transform",
          "x-accel-buffering": "no",
        },
      });
    },

    async post(c, serverId) {
      const id = c.req.query("session_id");
      if (!id) return reject(400, -32000, "Bad Request: session_id is required");
      const session = sessions.get(id);
      if (
        !session ||
        session.transport.closed ||
        session.owner !== c.get("principal").subject ||
        session.scope !== (serverId ?? "")
      ) {
        return reject(404, -32001, "Session not found");
      }
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return reject(400, JSON_RPC_PARSE_ERROR, "Parse error");
      }
      // A plain tools/call of a client that takes no requests runs outside the SDK server.
      const direct = directCallsOf(session.server);
      if (direct) {
        if (direct.cancel([body]).length === 0) return new Response("Accepted", { status: 202 });
        if (direct.acceptsOnStream(body, session.server.getClientCapabilities())) {
          const send = (message: unknown): void => {
            session.transport.send(message as JSONRPCMessage).catch(() => {});
          };
          void direct.answer(body, send).then(send);
          return new Response("Accepted", { status: 202 });
        }
        if (direct.acceptsList(undefined, body)) {
          const answer = await direct.listAnswer(body);
          if (answer !== undefined) {
            session.transport.sendSerialized(answer);
            return new Response("Accepted", { status: 202 });
          }
        }
      }
      let message: JSONRPCMessage;
      try {
        message = parseJSONRPCMessage(body);
      } catch {
        return reject(400, JSON_RPC_INVALID_REQUEST, "Invalid Request", idOf(body));
      }
      session.transport.receive(message);
      return new Response("Accepted", { status: 202 });
    },

    async close() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map((session) => session.server.close()));
    },
  };
}
