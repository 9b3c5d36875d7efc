import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { type LogLevel, stderrLogger } from "./logger.js";
import {
  collectHeader,
  parseLogLevel,
  parsePositiveInteger,
  parseSeconds,
  parseUrl,
} from "./options/option-parsers.js";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_TIMEOUT_SECONDS,
  type WrapperOptions,
} from "./options/wrapper-options.js";
import { startWrapper } from "./start-wrapper.js";

/** The package version, read from its package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

interface CliOptions {
  url?: URL;
  auth?: string;
  timeout: number;
  logLevel: LogLevel;
  concurrency: number;
  header: [string, string][];
}

const EXAMPLES = `
Examples:
  MCP_SERVER_URL=https://gw.example.com/servers/ID/mcp MCP_AUTH="Bearer TOKEN" mcpwrapper
  mcpwrapper --url http://localhost:4444/mcp --auth "Bearer TOKEN" --timeout 120
  mcpwrapper --url https://mcp.example.com/mcp --header "X-Tenant: acme" --log-level debug

MCP goes over stdin/stdout; diagnostics go to stderr. Flags win over environment variables.`;

/**
 * The `mcpwrapper` command: a stdio MCP server that forwards everything to a remote MCP server
 * over HTTP. Usage errors exit 2; stdin EOF, SIGTERM and SIGINT end the remote session and exit 0.
 */
export function createProgram(): Command {
  return (
    new Command("mcpwrapper")
      .description(
        "Lets a stdio-only MCP client (a desktop app or IDE) use a remote ContextForge gateway: speaks MCP on stdin/stdout and forwards to the gateway over HTTP.",
      )
      .version(VERSION, "-V, --version", "print the version and exit")
      .addOption(
        new Option("--url <url>", "the remote MCP endpoint, e.g. https://gw.example.com/servers/ID/mcp")
          .env("MCP_SERVER_URL")
          .argParser(parseUrl),
      )
      .addOption(
        new Option("--auth <value>", 'the Authorization header value, e.g. "Bearer eyJ..."').env("MCP_AUTH"),
      )
      .addOption(
        new Option(
          "--timeout <seconds>",
          "answer a request with an error (and cancel it) after this long; 0: never",
        )
          .env("MCP_TOOL_CALL_TIMEOUT")
          .argParser(parseSeconds)
          .default(DEFAULT_TIMEOUT_SECONDS),
      )
      .addOption(
        new Option("--log-level <level>", "stderr verbosity: debug, info, warn, error or none")
          .env("MCP_WRAPPER_LOG_LEVEL")
          .argParser(parseLogLevel)
          .default("info"),
      )
      .addOption(
        new Option("--concurrency <n>", "requests in flight to the remote at once; more wait their turn")
          .argParser(parsePositiveInteger)
          .default(DEFAULT_CONCURRENCY),
      )
      .addOption(
        new Option("--header <name:value>", 'an extra HTTP header, e.g. "X-Tenant: acme" (repeatable)')
          .argParser(collectHeader)
          .default([]),
      )
      .addHelpText("after", EXAMPLES)
      .showHelpAfterError()
      // Usage errors exit 2; help and version exit 0.
      .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
      .action(async function (this: Command) {
        const options = this.opts<CliOptions>();
        if (options.url === undefined) {
          this.error("error: the remote URL is required: pass --url <url> or set MCP_SERVER_URL", {
            exitCode: 2,
            code: "mcpwrapper.missingUrl",
          });
        }
        const handle = startWrapper(toWrapperOptions(options, options.url), {
          input: process.stdin,
          output: process.stdout,
        });
        for (const signal of ["SIGINT", "SIGTERM"] as const) {
          process.once(signal, () => void handle.close());
        }
        await handle.closed;
        // Keep-alive sockets to the remote must not hold the process open after the session ended.
        process.exit(0);
      })
  );
}

function toWrapperOptions(options: CliOptions, url: URL): WrapperOptions {
  const headers: Record<string, string> = {};
  for (const [name, value] of options.header) headers[name] = value;
  if (options.auth !== undefined && options.auth.trim() !== "") {
    for (const name of Object.keys(headers)) if (name.toLowerCase() === "authorization") delete headers[name];
    headers.Authorization = options.auth.trim();
  }
  return {
    url,
    headers,
    timeoutMs: options.timeout * 1000,
    concurrency: options.concurrency,
    logger: stderrLogger(options.logLevel),
  };
}
