import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import type { ConnectOptions } from "./connect/connect-options.js";
import type { RemoteTransport } from "./connect/remote-link.js";
import type { GrpcTranslateOptions } from "./grpc/grpc-options.js";
import { LOG_LEVELS, type LogLevel, stderrLogger } from "./logger.js";
import type { ExposeOptions } from "./options/expose-options.js";
import type { TranslateOptions } from "./options/translate-options.js";
import { serve } from "./serve.js";
import { startTranslate } from "./start-translate.js";
import { VERSION } from "./version.js";

export { VERSION } from "./version.js";

interface CliOptions {
  stdio?: string;
  exposeSse?: true;
  exposeStreamableHttp?: true;
  exposeWs?: true;
  port: number;
  host: string;
  ssePath: string;
  messagePath: string;
  streamableHttpPath: string;
  wsPath: string;
  shared?: true;
  stateless?: true;
  headerToEnv?: Record<string, string>;
  jsonResponse?: true;
  keepAlive: number;
  cors?: string[];
  maxSessions: number;
  sessionIdleTimeout: number;
  logLevel: LogLevel;
  connectSse?: string;
  connectStreamableHttp?: string;
  connectWs?: string;
  header?: Record<string, string>;
  oauth2Bearer?: string;
  maxRetries: number;
  grpc?: string;
  grpcTls?: true;
  grpcCa?: string;
  grpcCert?: string;
  grpcKey?: string;
  grpcMetadata?: [string, string][];
  grpcTimeout: number;
}

/** The options that only make sense with --grpc, by their flag. */
const GRPC_ONLY_FLAGS: readonly [keyof CliOptions, string][] = [
  ["grpcTls", "--grpc-tls"],
  ["grpcCa", "--grpc-ca"],
  ["grpcCert", "--grpc-cert"],
  ["grpcKey", "--grpc-key"],
  ["grpcMetadata", "--grpc-metadata"],
];

const CONNECT_FLAGS: readonly [keyof CliOptions, string, RemoteTransport][] = [
  ["connectSse", "--connect-sse", "sse"],
  ["connectStreamableHttp", "--connect-streamable-http", "streamable-http"],
  ["connectWs", "--connect-ws", "websocket"],
];

const EXAMPLES = `
Examples:
  mcptranslate --stdio "npx -y @modelcontextprotocol/server-everything"
  mcptranslate --stdio "uvx mcp-server-git" --expose-streamable-http --expose-ws --port 9000
  mcptranslate --stdio "node server.js" --expose-streamable-http --shared --max-sessions 200
  mcptranslate --stdio "node server.js" --stateless --header-to-env X-Api-Key=API_KEY
  mcptranslate --connect-streamable-http https://mcp.example.com/mcp --oauth2Bearer "$TOKEN"
  mcptranslate --grpc localhost:50051 --expose-streamable-http --grpc-metadata authorization="Bearer $TOKEN"

Every session gets its own child process unless --shared or --stateless is given. GET /healthz
answers 200. With --connect-*, stdin and stdout carry JSON-RPC and logs go to stderr. With --grpc,
each unary method found through server reflection is a tool.`;

/**
 * The `mcptranslate` command. Option errors and invalid combinations exit 2; nothing to do prints
 * the usage and exits 1.
 */
export function createProgram(): Command {
  return (
    new Command("mcptranslate")
      .description(
        "Bridges MCP transports: exposes a local stdio MCP server (or a gRPC service, as tools) over SSE, streamable HTTP or WebSocket, or connects a remote one to stdio.",
      )
      .version(VERSION, "-V, --version", "print the version and exit")
      .option("--stdio <command>", 'the stdio MCP server to run, e.g. "npx -y some-mcp-server"')
      .option("--expose-sse", "serve the SSE transport (GET --ssePath + POST --messagePath); the default")
      .option("--expose-streamable-http", "serve streamable HTTP on --streamableHttpPath")
      .option("--expose-ws", "serve WebSocket on --wsPath")
      .option("--port <n>", "TCP port (0 picks a free one)", integer("--port", 0), 8000)
      .option("--host <address>", "interface to bind", "127.0.0.1")
      .option("--ssePath <path>", "SSE stream path", "/sse")
      .option("--messagePath <path>", "SSE message POST path", "/message")
      .option("--streamableHttpPath <path>", "streamable HTTP path", "/mcp")
      .option("--wsPath <path>", "WebSocket path", "/ws")
      .option(
        "--shared",
        "one child for every session, multiplexed by JSON-RPC id (default: a child per session)",
      )
      .option(
        "--stateless",
        "streamable HTTP without sessions (2026-07-28 and 2025 stateless), served by a shared child",
      )
      .option(
        "--header-to-env <HEADER=ENV>",
        "a request header that becomes the child's environment variable (repeatable)",
        pair("--header-to-env", "="),
      )
      .option("--jsonResponse", "streamable HTTP: answer with JSON instead of SSE streams")
      .option(
        "--keepAlive <seconds>",
        "SSE keep-alive / WebSocket ping interval (0: off)",
        seconds("--keepAlive"),
        30,
      )
      .option("--cors <origins...>", "origins allowed cross-origin (* for any)")
      .option(
        "--max-sessions <n>",
        "sessions (stateless: requests) open at once; the next gets 503",
        integer("--max-sessions", 1),
        64,
      )
      .option(
        "--session-idle-timeout <seconds>",
        "end a streamable HTTP session, or stop a shared child, idle this long (0: never)",
        seconds("--session-idle-timeout"),
        1800,
      )
      .option("--connect-sse <url>", "bridge a remote SSE (2024-11-05) server to stdio")
      .option("--connect-streamable-http <url>", "bridge a remote streamable HTTP server to stdio")
      .option("--connect-ws <url>", "bridge a remote WebSocket MCP server to stdio")
      .option(
        "--header <K:V>",
        "--connect-*: a header sent to the remote (repeatable)",
        pair("--header", ":"),
      )
      .option("--oauth2Bearer <token>", "--connect-*: sent as Authorization: Bearer <token>")
      .option(
        "--max-retries <n>",
        "--connect-*: failed attempts to reach the remote in a row before exiting 1 (0: never give up)",
        integer("--max-retries", 0),
        0,
      )
      .option(
        "--grpc <host:port>",
        "expose the unary methods of a gRPC server (found by server reflection) as tools",
      )
      .option("--grpc-tls", "--grpc: use TLS, trusting the system's root certificates")
      .option("--grpc-ca <file>", "--grpc: use TLS, trusting the PEM certificates in <file>")
      .option("--grpc-cert <file>", "--grpc: client certificate chain (PEM) for mutual TLS, with --grpc-key")
      .option("--grpc-key <file>", "--grpc: client private key (PEM) for mutual TLS, with --grpc-cert")
      .option(
        "--grpc-metadata <KEY=VALUE>",
        "--grpc: metadata sent with every call and with reflection (repeatable)",
        metadataPair,
      )
      .option(
        "--grpc-timeout <seconds>",
        "--grpc: deadline of each call (and of discovery at start-up)",
        positiveSeconds("--grpc-timeout"),
        30,
      )
      .addOption(
        new Option("--logLevel <level>", "what to log on stderr").choices(LOG_LEVELS).default("info"),
      )
      .addHelpText("after", EXAMPLES)
      .showHelpAfterError()
      // Usage errors exit 2 (as `--jsonResponse` without streamable HTTP does); help and version 0.
      .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
      .action(async function (this: Command) {
        const options = this.opts<CliOptions>();
        const usage = (message: string): never =>
          this.error(`error: ${message}`, { exitCode: 2, code: "mcptranslate.invalidOptions" });
        const connects = CONNECT_FLAGS.filter(([key]) => options[key] !== undefined);
        const modes =
          connects.length + (options.stdio === undefined ? 0 : 1) + (options.grpc === undefined ? 0 : 1);
        if (modes > 1) {
          usage("give one of --stdio, --connect-sse, --connect-streamable-http, --connect-ws, --grpc");
        }
        const grpcOnly = GRPC_ONLY_FLAGS.find(([key]) => options[key] !== undefined);
        if (grpcOnly && options.grpc === undefined) usage(`${grpcOnly[1]} applies to --grpc only`);
        const [connect] = connects;
        if (connect) {
          const [key, , transport] = connect;
          // Loaded on demand: the SDK client it relies on is not needed to expose a server.
          const { serveConnect } = await import("./serve-connect.js");
          await serveConnect(toConnectOptions(options, options[key] as string, transport), usage);
          return;
        }
        if (options.header !== undefined || options.oauth2Bearer !== undefined) {
          usage("--header and --oauth2Bearer apply to --connect-* only");
        }
        if (options.grpc !== undefined) {
          if (options.shared || options.stateless || options.headerToEnv !== undefined) {
            usage("--shared, --stateless and --header-to-env apply to --stdio only");
          }
          const grpcOptions = toGrpcOptions(options, options.grpc, usage);
          // Loaded on demand: gRPC and protobuf are not needed for the other modes.
          const { startGrpcTranslate } = await import("./grpc/start-grpc-translate.js");
          await serve(() => startGrpcTranslate(grpcOptions), grpcOptions.logger, usage);
          return;
        }
        if (options.stdio === undefined) {
          this.outputHelp({ error: true });
          process.exitCode = 1;
          return;
        }
        const translateOptions = toTranslateOptions(options, options.stdio);
        await serve(() => startTranslate(translateOptions), translateOptions.logger, usage);
      })
  );
}

function toTranslateOptions(options: CliOptions, stdio: string): TranslateOptions {
  return {
    ...toExposeOptions(options),
    stdio,
    shared: options.shared === true,
    stateless: options.stateless === true,
    headerToEnv: options.headerToEnv ?? {},
    // The child's own diagnostics belong on our stderr, as when it runs in a terminal.
    onChildStderr: (text) => process.stderr.write(text),
  };
}

/** The exposing options shared by --stdio and --grpc. */
function toExposeOptions(options: CliOptions): ExposeOptions {
  return {
    ...(options.exposeSse ? { exposeSse: true } : {}),
    ...(options.exposeStreamableHttp ? { exposeStreamableHttp: true } : {}),
    ...(options.exposeWs ? { exposeWs: true } : {}),
    port: options.port,
    host: options.host,
    ssePath: options.ssePath,
    messagePath: options.messagePath,
    streamableHttpPath: options.streamableHttpPath,
    wsPath: options.wsPath,
    jsonResponse: options.jsonResponse === true,
    keepAliveMs: options.keepAlive * 1000,
    corsOrigins: options.cors ?? [],
    maxSessions: options.maxSessions,
    sessionIdleTimeoutMs: options.sessionIdleTimeout * 1000,
    logger: stderrLogger(options.logLevel),
  };
}

function toGrpcOptions(
  options: CliOptions,
  target: string,
  usage: (message: string) => never,
): GrpcTranslateOptions {
  const read = (flag: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      return usage(`${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  };
  const ca = read("--grpc-ca", options.grpcCa);
  const cert = read("--grpc-cert", options.grpcCert);
  const key = read("--grpc-key", options.grpcKey);
  const files = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  const tls = Object.keys(files).length > 0 ? files : options.grpcTls === true;
  const metadata: Record<string, string[]> = {};
  for (const [name, value] of options.grpcMetadata ?? []) {
    const key = name.toLowerCase();
    metadata[key] = [...(metadata[key] ?? []), value];
  }
  return {
    ...toExposeOptions(options),
    grpc: target,
    tls,
    metadata,
    timeoutMs: options.grpcTimeout * 1000,
  };
}

function toConnectOptions(options: CliOptions, url: string, transport: RemoteTransport): ConnectOptions {
  return {
    url,
    transport,
    headers: options.header ?? {},
    ...(options.oauth2Bearer === undefined ? {} : { oauth2Bearer: options.oauth2Bearer }),
    keepAliveMs: options.keepAlive * 1000,
    maxRetries: options.maxRetries,
    logger: stderrLogger(options.logLevel),
  };
}

function integer(name: string, min: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`${name} expects an integer >= ${min}`);
    }
    return parsed;
  };
}

function seconds(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0) {
      throw new InvalidArgumentError(`${name} expects a number of seconds >= 0`);
    }
    return parsed;
  };
}

function positiveSeconds(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed) || parsed <= 0) {
      throw new InvalidArgumentError(`${name} expects a number of seconds > 0`);
    }
    return parsed;
  };
}

/** `--grpc-metadata KEY=VALUE`, repeatable; a key may be given several times (several values). */
function metadataPair(value: string, previous: [string, string][] | undefined): [string, string][] {
  const at = value.indexOf("=");
  const key = at < 0 ? "" : value.slice(0, at).trim();
  if (key === "") throw new InvalidArgumentError(`--grpc-metadata expects KEY=VALUE (got "${value}")`);
  return [...(previous ?? []), [key, value.slice(at + 1)]];
}

/** A repeatable `NAME<separator>VALUE` option, collected into a record. */
function pair(name: string, separator: string) {
  return (value: string, previous: Record<string, string> | undefined): Record<string, string> => {
    const at = value.indexOf(separator);
    const key = at < 0 ? "" : value.slice(0, at).trim();
    if (key === "") throw new InvalidArgumentError(`${name} expects NAME${separator}VALUE (got "${value}")`);
    return { ...previous, [key]: value.slice(at + 1).trim() };
  };
}
