import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/** A load balancer without affinity: each HTTP request goes to the next target in turn. */
export interface RoundRobinProxy {
  readonly url: string;
  /** Requests sent to each target, by target base URL. */
  readonly served: ReadonlyMap<string, number>;
  /** Status codes answered, with how often. */
  readonly statuses: ReadonlyMap<number, number>;
  close(): Promise<void>;
}

/** Starts a proxy on loopback that streams bodies both ways (SSE answers arrive as they are written). */
export async function startRoundRobinProxy(targets: readonly string[]): Promise<RoundRobinProxy> {
  let next = 0;
  const served = new Map<string, number>(targets.map((target) => [target, 0]));
  const statuses = new Map<number, number>();
  const server = createServer((incoming, outgoing) => {
    const base = targets[next++ % targets.length] as string;
    served.set(base, (served.get(base) ?? 0) + 1);
    const target = new URL(base);
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
      },
      (answer) => {
        const status = answer.statusCode ?? 502;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        outgoing.writeHead(status, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    // A client that goes away closes the replica's stream too (an SSE GET would stay open).
    outgoing.on("close", () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    statuses,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
