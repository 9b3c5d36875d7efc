import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One HTTP request the proxy saw. */
export interface RecordedRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly sessionId: string | undefined;
  /** The JSON-RPC method of a POSTed message, if any. */
  readonly rpcMethod: string | undefined;
  /** The status the proxy answered with. */
  status: number | undefined;
}

/** A reverse proxy in front of the sample server that records what the wrapper sends. */
export interface RecordingProxy {
  /** The proxied MCP endpoint. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The most `tools/call` POSTs that were open (response not finished) at the same time. */
  maxConcurrentToolCalls(): number;
  /** From now on, answers every session id seen so far with 404, as a gateway that lost them. */
  expireSessions(): void;
  close(): Promise<void>;
}

/**
 * A small HTTP proxy forwarding to `127.0.0.1:<upstreamPort>` as a gateway would sit in front of
 * a server: it records every request, answers 401 without the expected `Authorization`, and 502
 * while the upstream is down. SSE responses are streamed through unbuffered.
 */
export async function startRecordingProxy(
  upstreamPort: number,
  options: { requiredAuthorization?: string } = {},
): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const expired = new Set<string>();
  let openToolCalls = 0;
  let maxToolCalls = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const record: RecordedRequest = {
        method: req.method ?? "GET",
        headers: req.headers,
        sessionId: header(req.headers, "mcp-session-id"),
        rpcMethod: rpcMethodOf(body),
        status: undefined,
      };
      requests.push(record);
      if (
        options.requiredAuthorization !== undefined &&
        req.headers.authorization !== options.requiredAuthorization
      ) {
        record.status = 401;
        res
          .writeHead(401, { "content-type": "application/json", "www-authenticate": "Bearer" })
          .end(JSON.stringify({ detail: "Not authenticated" }));
        return;
      }
      if (record.sessionId !== undefined && expired.has(record.sessionId)) {
        record.status = 404;
        res.writeHead(404, { "content-type": "application/json" }).end(
          JSON.stringify({
            jsonrpc: "2.0",
            error: { code: -32001, message: "Session not found" },
            id: null,
          }),
        );
        return;
      }
      const isToolCall = record.rpcMethod === "tools/call";
      if (isToolCall) {
        openToolCalls += 1;
        maxToolCalls = Math.max(maxToolCalls, openToolCalls);
      }
      let counted = isToolCall;
      const done = (): void => {
        if (counted) openToolCalls -= 1;
        counted = false;
      };
      const upstream = httpRequest(
        {
          host: "127.0.0.1",
          port: upstreamPort,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: `127.0.0.1:${upstreamPort}` },
        },
        (answer) => {
          record.status = answer.statusCode;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.flushHeaders();
          answer.pipe(res);
          answer.on("end", done);
          answer.on("close", () => {
            done();
            if (!res.writableEnded) res.destroy();
          });
        },
      );
      upstream.on("error", () => {
        done();
        record.status = 502;
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end("upstream down\n");
        else res.destroy();
      });
      res.on("close", () => {
        if (!upstream.destroyed) upstream.destroy();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    requests,
    maxConcurrentToolCalls: () => maxToolCalls,
    expireSessions() {
      for (const request of requests) if (request.sessionId !== undefined) expired.add(request.sessionId);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function rpcMethodOf(body: Buffer): string | undefined {
  try {
    const message = JSON.parse(body.toString("utf8")) as { method?: unknown };
    return typeof message.method === "string" ? message.method : undefined;
  } catch {
    return undefined;
  }
}
