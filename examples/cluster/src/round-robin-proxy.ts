import {
  Agent,
  type ClientRequest,
  createServer,
  type IncomingMessage,
  request,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/** Options of {@link startRoundRobinProxy}. */
export interface RoundRobinProxyOptions {
  /** Base URLs of the replicas, e.g. `http://127.0.0.1:40123`. */
  readonly targets: readonly string[];
  /** Port to listen on; 0 picks a free one. */
  readonly port?: number;
  readonly host?: string;
  /** How often a replica marked down is probed on `GET /health`. Default 1000 ms. */
  readonly probeIntervalMs?: number;
}

/** What the proxy saw, for the load report. */
export interface ProxyStats {
  /** Requests each replica answered (a status line came back), by base URL. */
  readonly served: Readonly<Record<string, number>>;
  /** Connections each replica refused; those requests went to the next replica. */
  readonly refused: Readonly<Record<string, number>>;
  /** Status codes sent to clients, with how often. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Requests or responses cut because a replica's connection broke after it had the request. */
  readonly broken: number;
}

/** A load balancer without affinity: each HTTP request goes to the next live replica in turn. */
export interface RoundRobinProxy {
  /** `http://<host>:<port>`. */
  readonly url: string;
  stats(): ProxyStats;
  /** Closes the listener and every open connection, SSE streams included. */
  close(): Promise<void>;
}

// Bodies up to this size are kept so a request refused at connect can go to the next replica.
const MAX_REPLAY_BYTES = 1024 * 1024;

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Starts a round-robin reverse proxy on `node:http` that streams request and response bodies
 * (SSE frames reach the client as the replica writes them). No affinity of any kind: not by
 * session id, cookie or client address. Like nginx's `proxy_next_upstream error`, a request whose
 * connection is refused goes to the next replica (the refusing one never saw it). A connection
 * that breaks after the replica had the request is never retried: the client gets a 502 or, mid
 * response, a broken connection. Either way (nginx's `max_fails=1`) the replica is left out until
 * it answers `GET /health` again.
 */
export async function startRoundRobinProxy(options: RoundRobinProxyOptions): Promise<RoundRobinProxy> {
  const targets = options.targets.map((target) => new URL(target));
  if (targets.length === 0) throw new Error("startRoundRobinProxy needs at least one target");
  const keys = targets.map((target) => target.origin);
  const down = new Set<number>();
  const served: Record<string, number> = Object.fromEntries(keys.map((key) => [key, 0]));
  const refused: Record<string, number> = Object.fromEntries(keys.map((key) => [key, 0]));
  const statuses: Record<string, number> = {};
  let broken = 0;
  let next = 0;
  // A fresh connection per request: a killed replica then refuses at connect, unambiguously.
  const agent = new Agent({ keepAlive: false });

  const pick = (): number => {
    for (let tried = 0; tried < targets.length; tried++) {
      const index = next++ % targets.length;
      if (!down.has(index)) return index;
    }
    return next++ % targets.length;
  };

  const probe = setInterval(() => {
    for (const index of down) {
      const target = targets[index] as URL;
      const check = request({
        host: target.hostname,
        port: target.port,
        path: "/health",
        agent,
        timeout: 1_000,
      });
      check.on("response", (answer) => {
        answer.resume();
        if (answer.statusCode === 200) down.delete(index);
      });
      check.on("timeout", () => check.destroy());
      check.on("error", () => {});
      check.end();
    }
  }, options.probeIntervalMs ?? 1_000);
  probe.unref();

  const reply = (outgoing: ServerResponse, status: number): void => {
    increment(statuses, String(status));
    if (!outgoing.headersSent) outgoing.writeHead(status, { "content-type": "text/plain" });
    outgoing.end(`round-robin proxy: ${status === 502 ? "bad gateway" : "no replica"}\n`);
  };

  const handle = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    const body: Buffer[] = [];
    let bodyBytes = 0;
    let ended = false;
    // The request body streams to `current` once its connection is up; `latest` is the last attempt.
    let current: ClientRequest | undefined;
    let latest: ClientRequest | undefined;
    let attempts = 0;

    incoming.on("data", (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes <= MAX_REPLAY_BYTES) body.push(chunk);
      current?.write(chunk);
    });
    incoming.on("end", () => {
      ended = true;
      current?.end();
    });

    const forward = (): void => {
      attempts++;
      const index = pick();
      const target = targets[index] as URL;
      const key = keys[index] as string;
      let connected = false;
      const forwarded = request({
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
        agent,
      });
      latest = forwarded;
      forwarded.on("socket", (socket) => {
        socket.once("connect", () => {
          connected = true;
          current = forwarded;
          for (const chunk of body) forwarded.write(chunk);
          if (ended) forwarded.end();
        });
      });
      forwarded.on("response", (answer) => {
        increment(served, key);
        increment(statuses, String(answer.statusCode ?? 502));
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        answer.on("close", () => {
          // The replica went away mid-body: break the client's connection too, never end it
          // cleanly, and leave the replica out until it answers /health.
          if (!answer.complete && !outgoing.destroyed) {
            broken++;
            down.add(index);
            outgoing.destroy();
          }
        });
      });
      forwarded.on("error", (error: NodeJS.ErrnoException) => {
        if (outgoing.destroyed) return;
        if (!connected && error.code === "ECONNREFUSED") {
          increment(refused, key);
          down.add(index);
          if (attempts < targets.length && bodyBytes <= MAX_REPLAY_BYTES) {
            forward();
            return;
          }
          reply(outgoing, 502);
          return;
        }
        if (outgoing.headersSent) {
          outgoing.destroy();
          return;
        }
        // Connected, then broken before any answer: a dying replica (its kernel still accepts for
        // a moment after SIGKILL). It may have run the request, so no retry; later ones skip it.
        broken++;
        down.add(index);
        reply(outgoing, 502);
      });
    };

    // A client that goes away closes the replica's request too (an SSE GET would stay open).
    outgoing.on("close", () => latest?.destroy());
    forward();
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    stats: () => ({
      served: { ...served },
      refused: { ...refused },
      statuses: { ...statuses },
      broken,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(probe);
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
