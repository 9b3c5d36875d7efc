import {
  backoffDelay,
  encodeTunnelFrame,
  FATAL_CLOSE_CODES,
  parseTunnelFrame,
  resolveBackoff,
  type TunnelFrame,
} from "@contextforge/mcp-transport";
import WebSocket from "ws";
import { definedVariables } from "./options/defined-variables.js";
import type { ReverseProxyOptions } from "./options/reverse-proxy-options.js";
import { ReverseProxyError } from "./reverse-proxy-error.js";
import { LocalSessions } from "./tunnel/local-sessions.js";

/** A running reverse proxy. */
export interface ReverseProxyHandle {
  /** Whether the tunnel is up and the server registered. */
  readonly registered: boolean;
  /** Settles when the proxy stopped: after {@link close}, or rejected when it gave up. */
  readonly closed: Promise<void>;
  /** Closes the tunnel and stops the local server. */
  close(): Promise<void>;
}

/** How one tunnel connection ended. */
type TunnelEnd = {
  readonly fatal?: ReverseProxyError;
  readonly registered: boolean;
  /** Why the connection failed or dropped, for the message when the proxy gives up. */
  readonly reason?: string;
};

/**
 * Starts the local stdio server and keeps an outbound WebSocket to the gateway's
 * `/reverse-proxy/ws`: it registers under `options.name`, then serves the gateway's MCP sessions
 * with the local server (see `LocalSessions`). A dropped tunnel is dialled again after
 * `reconnectDelayMs`, doubling per failure up to `maxReconnectDelayMs`, with jitter; a refused
 * token (401/403) or a name held by another kind of gateway ends the proxy, since retrying
 * cannot help; so do `maxRetries` failed attempts in a row, when set. A local server that exits
 * unexpectedly is restarted with the same backoff, the tunnel staying up.
 *
 * @throws {ReverseProxyError} `local_server_failed` (through `closed`) when the command cannot start;
 *   `retries_exhausted` after `maxRetries` failed reconnection attempts in a row.
 */
export function startReverseProxy(options: ReverseProxyOptions): ReverseProxyHandle {
  const { logger } = options;
  const [command = "", ...args] = options.command;
  let socket: WebSocket | undefined;
  let registered = false;
  let stopping = false;
  let wake: (() => void) | undefined;
  const send = (frame: TunnelFrame): void => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(encodeTunnelFrame(frame));
  };
  const backoff = resolveBackoff({
    initialMs: options.reconnectDelayMs,
    maxMs: Math.max(options.reconnectDelayMs, options.maxReconnectDelayMs),
    factor: 2,
  });
  const maxRetries = options.maxRetries ?? 0;
  const sessions = new LocalSessions({
    spec: { command, args, env: options.env ?? definedVariables(process.env) },
    send,
    logger,
    restartBackoff: backoff,
  });

  const connectOnce = (): Promise<TunnelEnd> =>
    new Promise((resolve) => {
      const ws = new WebSocket(options.url, {
        headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
        handshakeTimeout: 15_000,
      });
      socket = ws;
      let ok = false;
      let fatal: ReverseProxyError | undefined;
      let failure: string | undefined;
      let heard = true;
      const heartbeat =
        options.heartbeatMs > 0
          ? setInterval(() => {
              if (!heard) {
                logger("warn", "the gateway missed a heartbeat; reconnecting");
                ws.terminate();
                return;
              }
              heard = false;
              ws.ping();
            }, options.heartbeatMs)
          : undefined;
      ws.on("pong", () => {
        heard = true;
      });
      ws.on("open", () => {
        logger(
          "debug",
          `connected to ${redacted(options.url)}; registering as ${JSON.stringify(options.name)}`,
        );
        send({
          type: "register",
          name: options.name,
          ...(options.description === undefined ? {} : { description: options.description }),
        });
      });
      ws.on("unexpected-response", (_request, response) => {
        const status = response.statusCode ?? 0;
        if (status === 401 || status === 403)
          fatal = new ReverseProxyError("refused", `the gateway refused the token (HTTP ${status})`);
        else {
          failure = `the gateway answered the upgrade with HTTP ${status}`;
          logger("warn", failure);
        }
        response.resume();
        ws.terminate();
      });
      ws.on("message", (data, isBinary) => {
        heard = true;
        const frame = isBinary ? undefined : parseTunnelFrame(data.toString());
        if (frame === undefined) {
          logger("warn", "ignored a frame that is not part of the tunnel protocol");
        } else if (frame.type === "registered") {
          ok = true;
          registered = true;
          logger("info", `registered as ${frame.slug} (gateway ${frame.gatewayId})`);
        } else if (frame.type === "error") {
          logger("error", `the gateway refused the registration: ${frame.message}`);
        } else {
          void sessions.handle(frame);
        }
      });
      ws.on("error", (error) => {
        failure ??= error.message;
        logger("debug", `tunnel error: ${error.message}`);
      });
      ws.on("close", (code, reason) => {
        clearInterval(heartbeat);
        registered = false;
        socket = undefined;
        void sessions.endAll();
        if (FATAL_CLOSE_CODES.has(code))
          fatal ??= new ReverseProxyError(
            "refused",
            `the gateway closed the tunnel: ${reason.toString() || code}`,
          );
        if (!stopping)
          logger(ok ? "warn" : "debug", `tunnel closed (${code}${reason.length ? ` ${reason}` : ""})`);
        failure ??= `the tunnel closed (${code}${reason.length ? ` ${reason}` : ""})`;
        resolve({ registered: ok, reason: failure, ...(fatal ? { fatal } : {}) });
      });
    });

  const run = async (): Promise<void> => {
    try {
      await sessions.prepare();
    } catch (error) {
      throw new ReverseProxyError(
        "local_server_failed",
        `cannot start the local server ${JSON.stringify(command)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    let failures = 0;
    while (!stopping) {
      const end = await connectOnce();
      if (end.fatal) throw end.fatal;
      if (stopping) break;
      // `failures` numbers the attempt about to be made since the last registration: all before it failed.
      failures = end.registered ? 1 : failures + 1;
      if (maxRetries > 0 && failures > maxRetries)
        throw new ReverseProxyError(
          "retries_exhausted",
          `gave up after ${maxRetries} failed reconnection attempt${maxRetries === 1 ? "" : "s"} in a row to ${redacted(options.url)}: ${end.reason ?? "no connection"}`,
        );
      const base = backoffDelay(backoff, failures);
      // Jitter (+-20%) keeps many proxies from re-dialling a restarted gateway in lockstep.
      const delay = Math.round(base * (0.8 + Math.random() * 0.4));
      const attempt = maxRetries > 0 ? ` (attempt ${failures} of ${maxRetries})` : "";
      logger("info", `reconnecting in ${(delay / 1000).toFixed(1)} s${attempt}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };

  const closed = run().finally(() => sessions.close());
  closed.catch(() => {});
  return {
    get registered() {
      return registered;
    },
    closed,
    async close() {
      stopping = true;
      wake?.();
      socket?.close(1000, "reverse proxy stopping");
      await closed.catch(() => {});
    },
  };
}

/** The URL without its query (a `?token=` must not reach a log). */
function redacted(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
