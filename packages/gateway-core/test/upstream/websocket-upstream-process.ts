import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getFreePort, type ManagedProcess, startProcess } from "@contextforge/testing";
import { WebSocket, WebSocketServer } from "ws";

const require = createRequire(import.meta.url);
const TRANSLATE_CLI = join(
  dirname(require.resolve("@contextforge/translate/package.json")),
  "dist",
  "cli.js",
);
const EVERYTHING_CLI = join(
  dirname(require.resolve("@contextforge/server-everything/package.json")),
  "dist",
  "cli.js",
);

/** `servers/everything` over WebSocket (mcptranslate), a process a test can kill and start again. */
export interface WebSocketUpstream {
  /** `ws://127.0.0.1:<port>/ws` */
  readonly url: string;
  readonly port: number;
  /** The current mcptranslate process. */
  process(): ManagedProcess;
  /** SIGKILLs mcptranslate (no graceful close: the upstream "crashes"). */
  kill(): Promise<void>;
  /** Starts mcptranslate again on the same port. */
  start(): Promise<void>;
}

/**
 * Runs `mcptranslate --stdio "<everything over stdio>" --expose-ws` on a free port: each WebSocket
 * connection gets its own everything process. `marker` goes into a harmless Node option of those
 * processes and of mcptranslate (its `--stdio` argument), so a test can find them in /proc.
 * `stopAllProcesses` ends mcptranslate.
 */
export async function startWebSocketUpstream(marker: string): Promise<WebSocketUpstream> {
  const port = await getFreePort();
  const stdio = `${process.execPath} --disable-warning=${marker} "${EVERYTHING_CLI}" --transport stdio`;
  let current: ManagedProcess | undefined;
  const start = async (): Promise<void> => {
    current = await startProcess(
      process.execPath,
      [TRANSLATE_CLI, "--stdio", stdio, "--port", String(port), "--expose-ws"],
      { readyPattern: /on WebSocket ws:\/\// },
    );
  };
  await start();
  const live = (): ManagedProcess => {
    if (!current) throw new Error("not started");
    return current;
  };
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    port,
    process: live,
    async kill() {
      const proc = live();
      proc.child.kill("SIGKILL");
      await proc.exited();
    },
    start,
  };
}

/** A WebSocket relay in front of an upstream that demands a bearer token on the handshake. */
export interface AuthenticatingRelay {
  readonly url: string;
  /** The `Authorization` header of every handshake, in order (undefined when absent). */
  readonly seen: (string | undefined)[];
  close(): Promise<void>;
}

/**
 * Accepts a WebSocket (subprotocol `mcp`) only with `Authorization: <authorization>` (else 401),
 * and relays its frames to and from `target`, one upstream connection per client.
 */
export async function startAuthenticatingRelay(
  target: string,
  authorization: string,
): Promise<AuthenticatingRelay> {
  const seen: (string | undefined)[] = [];
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    handleProtocols: (offered) => (offered.has("mcp") ? "mcp" : false),
    verifyClient: (info, callback) => {
      seen.push(info.req.headers.authorization);
      if (info.req.headers.authorization === authorization) callback(true);
      else callback(false, 401, "Unauthorized");
    },
  });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  wss.on("connection", (client) => {
    const upstream = new WebSocket(target, ["mcp"]);
    const early: string[] = [];
    client.on("message", (data) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(String(data));
      else early.push(String(data));
    });
    upstream.on("open", () => {
      for (const frame of early.splice(0)) upstream.send(frame);
    });
    upstream.on("message", (data) => client.send(String(data)));
    upstream.on("close", () => client.close());
    upstream.on("error", () => client.terminate());
    client.on("close", () => upstream.close());
    client.on("error", () => upstream.terminate());
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/mcp`,
    seen,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}
