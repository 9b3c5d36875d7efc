import { createConnection, createServer, type Server, type Socket } from "node:net";
import { getFreePort } from "@contextforge/testing";

/** A TCP relay to a real server that a test can cut and restore, to stage an outage. */
export interface TcpProxy {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` style URL for `protocol`. */
  url(protocol: string, path?: string): string;
  /** Stops listening and drops every open connection: the server looks down. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Relays 127.0.0.1:<port> to `target`. Starts listening unless `listening` is false (a port
 * where nothing answers yet).
 */
export async function startTcpProxy(
  target: { host: string; port: number },
  options: { listening?: boolean } = {},
): Promise<TcpProxy> {
  const port = await getFreePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const instance = createServer((client) => {
        const upstream = createConnection(target);
        sockets.add(client);
        sockets.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      instance.once("error", reject);
      instance.listen(port, "127.0.0.1", () => {
        server = instance;
        resolve();
      });
    });

  const cut = async (): Promise<void> => {
    const current = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  if (options.listening !== false) await listen();
  return {
    port,
    url: (protocol, path = "") => `${protocol}://127.0.0.1:${port}${path}`,
    cut,
    restore: () => (server ? Promise.resolve() : listen()),
    close: cut,
  };
}
