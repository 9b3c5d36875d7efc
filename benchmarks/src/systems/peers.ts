import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Endpoint } from "../client/endpoint.js";
import {
  childEnv,
  freePort,
  peerBin,
  peerVersion,
  scratchDir,
  WORKSPACE_CLIS,
  waitForHttp,
} from "./environment.js";
import { EVERYTHING_STDIO } from "./everything.js";
import { SupervisedProcess } from "./supervised-process.js";
import type { RunningSystem, SystemSpec } from "./system.js";

interface PeerLaunch {
  readonly args: (port: number, home: string) => string[];
  /** A URL answering once the peer listens (any status `accept` likes). */
  readonly readyPath: string;
  readonly accept?: (status: number) => boolean;
  readonly endpoints: (base: string) => Record<string, Endpoint>;
}

/** A bridge that runs the sample server over stdio and exposes it on HTTP: one process tree. */
function peerSystem(id: string, label: string, script: () => string, launch: PeerLaunch): SystemSpec {
  return {
    id,
    label,
    async start(): Promise<RunningSystem> {
      const home = scratchDir(id);
      const port = await freePort();
      const peer = await SupervisedProcess.start(
        id,
        process.execPath,
        [script(), ...launch.args(port, home.path)],
        {
          cwd: home.path,
          env: childEnv(home.path),
        },
      );
      const base = `http://127.0.0.1:${port}`;
      try {
        await waitForHttp(
          `${base}${launch.readyPath}`,
          launch.accept === undefined ? {} : { accept: launch.accept },
        );
      } catch (error) {
        await peer.stop();
        home.remove();
        throw new Error(`${(error as Error).message}\n${peer.output()}`, { cause: error });
      }
      return {
        endpoints: launch.endpoints(base),
        roots: [peer.pid],
        upstreamRoots: [],
        async stop() {
          await peer.stop();
          home.remove();
        },
      };
    },
  };
}

const anyAnswer = (status: number): boolean => status > 0;
const http = (url: string): Endpoint => ({ transport: "streamable-http", url, era: "2025" });

/**
 * `mcptranslate`: streamable HTTP and SSE from one process; a child per session (its default)
 * or, with `--shared`, one child multiplexed for every session.
 */
export function translateSystem(mode: "per-session" | "shared"): SystemSpec {
  const shared = mode === "shared";
  return peerSystem(
    shared ? "mcptranslate-shared" : "mcptranslate",
    shared ? "mcptranslate --shared (one child)" : "mcptranslate (child per session)",
    () => WORKSPACE_CLIS.translate,
    {
      args: (port) => [
        "--stdio",
        EVERYTHING_STDIO.commandLine,
        "--expose-streamable-http",
        "--expose-sse",
        ...(shared ? ["--shared"] : []),
        "--port",
        String(port),
        "--logLevel",
        "warn",
      ],
      readyPath: "/healthz",
      endpoints: (base) => ({ http2025: http(`${base}/mcp`), sse: { transport: "sse", url: `${base}/sse` } }),
    },
  );
}

/** `mcptranslate` in its default mode. */
export const translate: SystemSpec = translateSystem("per-session");

/** `supergateway` stdio -> streamable HTTP; stateful = a child per session, stateless = per request. */
export function supergatewayHttp(mode: "stateful" | "stateless"): SystemSpec {
  return peerSystem(
    `supergateway-${mode}`,
    `supergateway streamable HTTP, ${mode}`,
    () => peerBin("supergateway"),
    {
      args: (port) => [
        "--stdio",
        EVERYTHING_STDIO.commandLine,
        "--outputTransport",
        "streamableHttp",
        ...(mode === "stateful" ? ["--stateful"] : []),
        "--port",
        String(port),
        "--logLevel",
        "none",
        "--healthEndpoint",
        "/healthz",
      ],
      readyPath: "/healthz",
      endpoints: (base) => ({ http2025: http(`${base}/mcp`) }),
    },
  );
}

/** `supergateway` stdio -> SSE (one shared child). */
export const supergatewaySse: SystemSpec = peerSystem(
  "supergateway-sse",
  "supergateway SSE",
  () => peerBin("supergateway"),
  {
    args: (port) => [
      "--stdio",
      EVERYTHING_STDIO.commandLine,
      "--outputTransport",
      "sse",
      "--port",
      String(port),
      "--logLevel",
      "none",
      "--healthEndpoint",
      "/healthz",
    ],
    readyPath: "/healthz",
    endpoints: (base) => ({ sse: { transport: "sse", url: `${base}/sse` } }),
  },
);

/** `mcp-proxy`: streamable HTTP (stateful) and SSE from one process. */
export const mcpProxy: SystemSpec = peerSystem(
  "mcp-proxy",
  "mcp-proxy (stateful)",
  () => peerBin("mcp-proxy"),
  {
    args: (port) => [
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--",
      EVERYTHING_STDIO.command,
      ...EVERYTHING_STDIO.args,
    ],
    readyPath: "/",
    accept: anyAnswer,
    endpoints: (base) => ({ http2025: http(`${base}/mcp`), sse: { transport: "sse", url: `${base}/sse` } }),
  },
);

/** `mcp-hub`: aggregates the stdio sample server; its MCP endpoint is legacy SSE (`GET /mcp`). */
export const mcpHub: SystemSpec = peerSystem("mcp-hub", "mcp-hub", () => peerBin("mcp-hub"), {
  args: (port, home) => {
    const config = join(home, "mcp-servers.json");
    const server = { command: EVERYTHING_STDIO.command, args: EVERYTHING_STDIO.args };
    writeFileSync(config, JSON.stringify({ mcpServers: { everything: server } }));
    return ["--port", String(port), "--config", config];
  },
  readyPath: "/api/health",
  endpoints: (base) => ({ sse: { transport: "sse", url: `${base}/mcp` } }),
});

/** One line per peer for RESULTS.md: version and how it runs, or why it could not. */
export function peerDescriptions(): string[] {
  const describe = (pkg: string, how: string): string => {
    try {
      return `\`${pkg}\` ${peerVersion(pkg)}: ${how}`;
    } catch (error) {
      return `\`${pkg}\`: not installed, left out (${(error as Error).message.split("\n")[0]})`;
    }
  };
  return [
    describe(
      "supergateway",
      "`--stdio <sample server> --outputTransport streamableHttp [--stateful]` or `--outputTransport sse`, `--logLevel none`",
    ),
    describe(
      "mcp-proxy",
      "`--port P --host 127.0.0.1 -- <sample server>` (stateful streamable HTTP on /mcp, SSE on /sse)",
    ),
    describe(
      "mcp-hub",
      "`--port P --config <file>` with the sample server as its one stdio server (SSE at GET /mcp)",
    ),
    "`mcptranslate` (this repository): `--stdio <sample server> --expose-streamable-http --expose-sse [--shared] --logLevel warn`",
    "Every bridge runs with its quietest logging, so that no figure pays for per-message log lines; the gateway runs with its default `LOG_LEVEL` (info), which logs nothing per request.",
  ];
}
