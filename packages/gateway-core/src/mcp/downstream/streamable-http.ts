import { createMcpHandler, isLegacyRequest, type McpHttpHandler } from "@modelcontextprotocol/server";
import type { Context } from "hono";
import type { GatewayEnv, Principal } from "../../auth/principal.js";
import type { McpRouter, McpView } from "../router.js";
import type { SubscriptionHub } from "../subscription-hub.js";
import { answerModernCall, isDirectModernCall } from "./direct-modern-calls.js";
import { createGatewayMcpServer, GATEWAY_SERVER_NAME } from "./gateway-mcp-server.js";
import type { InputBridge } from "./input-bridge.js";
import { createLegacySessionServer } from "./legacy-session-server.js";
import { LegacySessions, type LegacySessionsOptions, readJsonPost } from "./legacy-sessions.js";
import { listenedUris, releasingWhenDone } from "./listen-request.js";
import { isPlainLegacyRequest, isPlainModernRequest } from "./plain-legacy-request.js";
import type { SessionTokens } from "./session-token.js";

/** Options of the streamable HTTP endpoint. */
export interface StreamableHttpOptions {
  readonly router: McpRouter;
  /** Relays resource subscriptions and list changes to 2025 sessions and 2026 listen streams. */
  readonly hub: SubscriptionHub;
  readonly version: string;
  readonly maxRequestBodyBytes: number;
  readonly maxSessions: number;
  readonly sessionIdleTimeoutMs: number;
  /** Mints and opens 2025 session ids (shared key: any replica resumes any session). */
  readonly sessionTokens: SessionTokens;
  /** Called when a client ends a 2025 session with DELETE (to tell the other replicas). */
  readonly onSessionEnded?: (id: string) => void;
  /**
   * Sends a client's replies and cancellations that no 2025 session copy here awaits to the other
   * replicas (they call `sessions.deliver`); leave unset with a single replica.
   */
  readonly onSessionMessages?: (sessionId: string, messages: readonly unknown[]) => void;
  /** Keeps SSE stream events for `Last-Event-ID` resumption (see {@link LegacySessionsOptions.events}). */
  readonly events?: LegacySessionsOptions["events"];
  /** Sends standalone notifications to the replica holding a session's GET stream ({@link LegacySessionsOptions.standalone}). */
  readonly onStandaloneNotification?: (sessionId: string, message: unknown) => void;
  /** Shared last-use marks of sessions ({@link LegacySessionsOptions.activity}). */
  readonly activity?: LegacySessionsOptions["activity"];
  /** Bridges upstream sampling/elicitation/roots requests to 2026 clients (`input_required`). */
  readonly inputBridge?: InputBridge;
}

/** The streamable HTTP endpoint: a Hono handler, and `close()` for shutdown. */
export interface StreamableHttpEndpoint {
  handle(c: Context<GatewayEnv>, serverId: string | undefined): Promise<Response>;
  readonly sessions: LegacySessions;
  close(): Promise<void>;
}

/** The SDK's classification of a parsed POST body, skipped where a cheap exact check decides it. */
async function isLegacyPost(request: Request, parsedBody: unknown): Promise<boolean> {
  const version = request.headers.get("mcp-protocol-version");
  if (isPlainLegacyRequest(request.method, version, parsedBody)) return true;
  if (isPlainModernRequest(request.method, version, parsedBody)) return false;
  return isLegacyRequest(request, parsedBody);
}

/**
 * `/mcp` and `/servers/{id}/mcp`: both protocol eras on one URL, decided per request as the SDK
 * does (its `isLegacyRequest`): 2026-07-28 requests are served statelessly, one SDK server per
 * request; 2025 traffic gets sessions.
 */
export function createStreamableHttpEndpoint(options: StreamableHttpOptions): StreamableHttpEndpoint {
  const { router, version } = options;
  const sessions = new LegacySessions({
    maxSessions: options.maxSessions,
    idleTimeoutMs: options.sessionIdleTimeoutMs,
    tokens: options.sessionTokens,
    ...(options.onSessionEnded ? { onEnded: options.onSessionEnded } : {}),
    ...(options.onSessionMessages ? { relay: options.onSessionMessages } : {}),
    ...(options.events ? { events: options.events } : {}),
    ...(options.onStandaloneNotification ? { standalone: options.onStandaloneNotification } : {}),
    ...(options.activity ? { activity: options.activity } : {}),
  });
  const modern: McpHttpHandler = createMcpHandler(
    (ctx) => {
      const serverId = ctx.authInfo?.extra?.serverId;
      const view: McpView = {
        serverId: typeof serverId === "string" ? serverId : undefined,
        principal: ctx.authInfo?.extra?.principal as Principal | undefined,
      };
      return createGatewayMcpServer(
        router,
        view,
        "modern",
        version,
        options.inputBridge ? { inputBridge: options.inputBridge } : {},
      );
    },
    { legacy: "reject", maxRequestBodySize: options.maxRequestBodyBytes },
  );
  const detachNotifier = options.hub.addListenNotifier(modern.notify);

  return {
    sessions,
    async handle(c, serverId) {
      const principal = c.get("principal");
      const view: McpView = { serverId, principal };
      await router.checkView(view);
      const request = c.req.raw;
      // A JSON body is read and parsed once, here, for the classification and the handler (the
      // app's body limit has bounded it already); anything else is left to them as it came.
      const read = await readJsonPost(request);
      const parsedBody = read !== undefined && "parsedBody" in read ? read.parsedBody : undefined;
      const legacy =
        read === undefined
          ? isPlainLegacyRequest(request.method, null, undefined) ||
            (await isLegacyRequest(request, undefined, { maxRequestBodySize: options.maxRequestBodyBytes }))
          : // A body that is not JSON is the 2025 wire's parse error, as the SDK classifies it.
            "invalid" in read || (await isLegacyPost(request, parsedBody));
      if (legacy) {
        return sessions.fetch(
          request,
          principal.subject,
          serverId ?? "",
          () => createLegacySessionServer(router, options.hub, view, version),
          read,
        );
      }
      // A plain 2026-07-28 tools/call of a client that can be asked nothing: no per-request server.
      if (parsedBody !== undefined && isDirectModernCall(request, parsedBody))
        return answerModernCall(router, view, parsedBody, request.signal, {
          name: GATEWAY_SERVER_NAME,
          version,
        });
      const uris = listenedUris(request, parsedBody);
      const response = await modern.fetch(request, {
        authInfo: { token: "", clientId: principal.subject, scopes: [], extra: { serverId, principal } },
        ...(read === undefined ? {} : { parsedBody }),
      });
      // A listen stream that opened: what it asked for is subscribed upstream while it lasts. Its
      // ack (the stream's first event) reaches the client only once the upstream subscriptions
      // are made: an update of a listened URI right after the ack must not be lost upstream.
      if (uris === undefined || !response.headers.get("content-type")?.startsWith("text/event-stream"))
        return response;
      const hold = options.hub.openListen(view, uris);
      try {
        await hold.ready;
      } catch (error) {
        hold.release();
        await response.body?.cancel().catch(() => {});
        throw error;
      }
      return releasingWhenDone(response, hold.release);
    },
    async close() {
      detachNotifier();
      await Promise.allSettled([sessions.close(), modern.close()]);
    },
  };
}
