import { encodeJsonRpcLine, JsonRpcLineDecoder } from "@contextforge/mcp-transport";
import { isJsonRpcMessage, type JsonRpcMessage } from "../relay/json-rpc.js";
import {
  type ConnectOptions,
  type ResolvedConnectOptions,
  resolveConnectOptions,
} from "./connect-options.js";
import { RemoteBridge } from "./remote-bridge.js";
import type { RemoteLink, RemoteLinkEvents } from "./remote-link.js";
import { SseLink } from "./sse-link.js";
import { StreamableHttpLink } from "./streamable-http-link.js";
import { WebSocketLink } from "./websocket-link.js";

/** How a {@link ConnectHandle} ended. */
export type ConnectEnd =
  /** The local client closed its input, or `close()` was called. */
  | "closed"
  /** The remote stayed unreachable for `maxRetries` attempts, or refused the connection. */
  | "gave_up";

/** A running remote-to-stdio bridge, from {@link startConnect}. */
export interface ConnectHandle {
  /** Settles once the bridge has stopped. */
  readonly done: Promise<ConnectEnd>;
  /** Stops: ends the remote session (HTTP DELETE, socket closed); idempotent. */
  close(): Promise<void>;
}

/**
 * Bridges a remote MCP server (SSE, streamable HTTP or WebSocket) to a local stdio client: reads
 * newline-delimited JSON-RPC from `input` (stdin), writes only JSON-RPC to `output` (stdout).
 * Connects in the background, holding the client's messages while the remote is unreachable.
 * Throws a `TranslateError` (`invalid_options`) for options that cannot work.
 */
export function startConnect(options: ConnectOptions): ConnectHandle {
  const resolved = resolveConnectOptions(options);
  const { input, output, logger: log } = resolved;
  let finish: (end: ConnectEnd) => void = () => {};
  const done = new Promise<ConnectEnd>((resolve) => {
    finish = resolve;
  });
  const bridge = new RemoteBridge({
    createLink: (events) => createLink(resolved, events),
    toClient: (message: JsonRpcMessage) => {
      output.write(encodeJsonRpcLine(message));
    },
    backoff: resolved.backoff,
    maxRetries: resolved.maxRetries,
    log,
    onGiveUp: () => stop("gave_up", false),
  });

  const decoder = new JsonRpcLineDecoder();
  const onLines = (lines: ReturnType<JsonRpcLineDecoder["push"]>): void => {
    for (const line of lines) {
      if (!line.ok) log("warn", `skipped a line on stdin that is not JSON (${line.error})`);
      else if (isJsonRpcMessage(line.message)) bridge.fromClient(line.message);
      else log("warn", "skipped a line on stdin that is not a JSON-RPC message");
    }
  };
  const onData = (chunk: Buffer | string): void => onLines(decoder.push(chunk));
  const onEnd = (): void => {
    onLines(decoder.end());
    log("info", "stdin closed: ending the remote session");
    void stop("closed", true);
  };
  const onOutputError = (error: Error): void => {
    log("warn", `stdout failed (${error.message}): stopping`);
    void stop("closed", true);
  };
  input.on("data", onData);
  input.once("end", onEnd);
  output.on("error", onOutputError);

  let stopping: Promise<void> | undefined;
  function stop(end: ConnectEnd, endSession: boolean): Promise<void> {
    stopping ??= (async () => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.pause();
      await bridge.close(endSession);
      output.off("error", onOutputError);
      finish(end);
    })();
    return stopping;
  }

  log("info", `bridging stdio to ${describe(resolved)}`);
  bridge.start();
  return { done, close: () => stop("closed", true) };
}

function createLink(options: ResolvedConnectOptions, events: RemoteLinkEvents): RemoteLink {
  const common = { url: options.url, headers: options.headers, events, log: options.logger };
  switch (options.transport) {
    case "sse":
      return new SseLink(common);
    case "streamable-http":
      return new StreamableHttpLink(common);
    case "websocket":
      return new WebSocketLink({ ...common, keepAliveMs: options.keepAliveMs });
  }
}

/** The remote for log lines: no query string, which may carry a credential. */
function describe(options: ResolvedConnectOptions): string {
  const kind = { sse: "SSE", "streamable-http": "streamable HTTP", websocket: "WebSocket" }[
    options.transport
  ];
  return `${kind} ${options.url.origin}${options.url.pathname}`;
}
