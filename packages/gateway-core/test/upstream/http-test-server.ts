import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A node:http server on loopback that a test owns; it counts the requests still open. */
export interface HttpTestServer {
  readonly server: Server;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Requests whose connection is still open (neither answered nor aborted by the client). */
  openRequests(): number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const running = new Set<HttpTestServer>();

/** Starts `handler` on a free loopback port; {@link closeAllHttpTestServers} stops it. */
export async function startHttpTestServer(handler: Handler): Promise<HttpTestServer> {
  let open = 0;
  const server = createServer((req, res) => {
    open++;
    res.once("close", () => open--);
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const handle: HttpTestServer = {
    server,
    origin: `http://127.0.0.1:${port}`,
    openRequests: () => open,
    close: () =>
      new Promise<void>((resolve) => {
        running.delete(handle);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  running.add(handle);
  return handle;
}

/** Stops every server started by {@link startHttpTestServer}. */
export async function closeAllHttpTestServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.close()));
}

/** Reads and parses a JSON request body. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/** Resolves once `predicate` holds, polling; rejects after `timeoutMs`. */
export async function eventually(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
