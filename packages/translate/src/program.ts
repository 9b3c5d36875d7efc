import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { LOG_LEVELS, type LogLevel, stderrLogger } from "./logger.js";
import type { TranslateOptions } from "./options/translate-options.js";
import { serve } from "./serve.js";

/** The package version, read from its package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

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
  jsonResponse?: true;
  keepAlive: number;
  cors?: string[];
  maxSessions: number;
  sessionIdleTimeout: number;
  logLevel: LogLevel;
  connectSse?: string;
  connectStreamableHttp?: string;
  connectWs?: string;
}

const EXAMPLES = `
Examples:
  mcptranslate --stdio "npx -y @modelcontextprotocol/server-everything"
  mcptranslate --stdio "uvx mcp-server-git" --expose-streamable-http --expose-ws --port 9000
  mcptranslate --stdio "node server.js" --expose-streamable-http --shared --max-sessions 200

Every session gets its own child process unless --shared is given. GET /healthz answers 200.`;

/**
 * The `mcptranslate` command. Option errors and invalid combinations exit 2; no `--stdio` prints
 * the usage and exits 1.
 */
export function createProgram(): Command {
  return (
    new Command("mcptranslate")
      .description(
        "Bridges MCP transports: exposes a local stdio MCP server over SSE, streamable HTTP or WebSocket.",
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
        "sessions open at once; the next gets 503",
        integer("--max-sessions", 1),
        64,
      )
      .option(
        "--session-idle-timeout <seconds>",
        "end a streamable HTTP session idle this long (0: never)",
        seconds("--session-idle-timeout"),
        1800,
      )
      .addOption(
        new Option("--logLevel <level>", "what to log on stderr").choices(LOG_LEVELS).default("info"),
      )
      .addOption(new Option("--connect-sse <url>").hideHelp())
      .addOption(new Option("--connect-streamable-http <url>").hideHelp())
      .addOption(new Option("--connect-ws <url>").hideHelp())
      .addHelpText("after", EXAMPLES)
      .showHelpAfterError()
      // Usage errors exit 2 (as `--jsonResponse` without streamable HTTP does); help and version 0.
      .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
      .action(async function (this: Command) {
        const options = this.opts<CliOptions>();
        const connect = ["connectSse", "connectStreamableHttp", "connectWs"].find(
          (key) => options[key as keyof CliOptions] !== undefined,
        );
        if (connect !== undefined) {
          const flag = `--${connect.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
          this.error(`${flag} is not in this release yet; this release exposes --stdio servers only`, {
            exitCode: 2,
            code: "mcptranslate.unsupported",
          });
        }
        if (options.stdio === undefined) {
          this.outputHelp({ error: true });
          process.exitCode = 1;
          return;
        }
        await serve(toTranslateOptions(options, options.stdio), (message) =>
          this.error(`error: ${message}`, { exitCode: 2, code: "mcptranslate.invalidOptions" }),
        );
      })
  );
}

function toTranslateOptions(options: CliOptions, stdio: string): TranslateOptions {
  return {
    stdio,
    ...(options.exposeSse ? { exposeSse: true } : {}),
    ...(options.exposeStreamableHttp ? { exposeStreamableHttp: true } : {}),
    ...(options.exposeWs ? { exposeWs: true } : {}),
    port: options.port,
    host: options.host,
    ssePath: options.ssePath,
    messagePath: options.messagePath,
    streamableHttpPath: options.streamableHttpPath,
    wsPath: options.wsPath,
    shared: options.shared === true,
    jsonResponse: options.jsonResponse === true,
    keepAliveMs: options.keepAlive * 1000,
    corsOrigins: options.cors ?? [],
    maxSessions: options.maxSessions,
    sessionIdleTimeoutMs: options.sessionIdleTimeout * 1000,
    logger: stderrLogger(options.logLevel),
    // The child's own diagnostics belong on our stderr, as when it runs in a terminal.
    onChildStderr: (text) => process.stderr.write(text),
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
