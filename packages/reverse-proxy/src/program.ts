import { readFileSync } from "node:fs";
import { CommandLineError, splitCommandLine } from "@contextforge/mcp-transport";
import { Command, Option } from "commander";
import { type LogLevel, stderrLogger } from "./logger.js";
import { parseGatewayUrl, parseLogLevel, parseSeconds } from "./options/option-parsers.js";
import {
  DEFAULT_HEARTBEAT_SECONDS,
  DEFAULT_MAX_RECONNECT_DELAY_SECONDS,
  DEFAULT_RECONNECT_DELAY_SECONDS,
  type ReverseProxyOptions,
} from "./options/reverse-proxy-options.js";
import { defaultServerName, tunnelUrl } from "./options/tunnel-url.js";
import { ReverseProxyError } from "./reverse-proxy-error.js";
import { startReverseProxy } from "./start-reverse-proxy.js";

/** The package version, read from its package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** The parsed command-line options, before defaults that depend on each other. */
export interface ReverseProxyCliOptions {
  localStdio?: string;
  gateway?: URL;
  token?: string;
  name?: string;
  description?: string;
  reconnectDelay: number;
  maxReconnectDelay: number;
  heartbeat: number;
  logLevel: LogLevel;
}

const EXAMPLES = `
Examples:
  mcpreverseproxy --local-stdio "uvx mcp-server-git" --gateway https://gw.example.com --token TOKEN
  REVERSE_PROXY_GATEWAY=https://gw.example.com REVERSE_PROXY_TOKEN=TOKEN \\
    mcpreverseproxy --local-stdio "node server.js" --name my-server

The tunnel is an outbound WebSocket to <gateway>/reverse-proxy/ws; nothing listens locally.
Diagnostics go to stderr. Flags win over environment variables.`;

/**
 * The `mcpreverseproxy` command. Usage errors exit 2; SIGINT and SIGTERM close the tunnel and the
 * local server and exit 0; a refused token or a local server that cannot start exit 1.
 */
export function createProgram(): Command {
  return (
    new Command("mcpreverseproxy")
      .description(
        "Publishes a local MCP server through a remote ContextForge gateway from behind NAT or a firewall, over an outbound WebSocket tunnel.",
      )
      .version(VERSION, "-V, --version", "print the version and exit")
      .addOption(
        new Option("--local-stdio <command>", 'the local stdio MCP server, e.g. "uvx mcp-server-git"').env(
          "REVERSE_PROXY_LOCAL_STDIO",
        ),
      )
      .addOption(
        new Option(
          "--gateway <url>",
          "the gateway, e.g. https://gw.example.com (its /reverse-proxy/ws is dialled)",
        )
          .env("REVERSE_PROXY_GATEWAY")
          .argParser(parseGatewayUrl),
      )
      .addOption(
        new Option("--token <token>", "a bearer token of the gateway (needs gateways.create)").env(
          "REVERSE_PROXY_TOKEN",
        ),
      )
      .addOption(
        new Option("--name <name>", "the name to publish under (default: from the command)").env(
          "REVERSE_PROXY_NAME",
        ),
      )
      .addOption(new Option("--description <text>", "a description of the published server"))
      .addOption(
        new Option(
          "--reconnect-delay <seconds>",
          "first delay before re-dialling; doubles per failure, jittered",
        )
          .env("REVERSE_PROXY_RECONNECT_DELAY")
          .argParser(parseSeconds)
          .default(DEFAULT_RECONNECT_DELAY_SECONDS),
      )
      .addOption(
        new Option("--max-reconnect-delay <seconds>", "upper bound of the reconnection delay")
          .argParser(parseSeconds)
          .default(DEFAULT_MAX_RECONNECT_DELAY_SECONDS),
      )
      .addOption(
        new Option("--heartbeat <seconds>", "ping the gateway this often; a missed pong re-dials; 0: off")
          .argParser(parseSeconds)
          .default(DEFAULT_HEARTBEAT_SECONDS),
      )
      .addOption(
        new Option("--log-level <level>", "stderr verbosity: debug, info, warn, error or none")
          .env("REVERSE_PROXY_LOG_LEVEL")
          .argParser(parseLogLevel)
          .default("info"),
      )
      .addHelpText("after", EXAMPLES)
      .showHelpAfterError()
      // Usage errors exit 2; help and version exit 0.
      .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
      .action(async function (this: Command) {
        let options: ReverseProxyOptions;
        try {
          options = toReverseProxyOptions(this.opts<ReverseProxyCliOptions>());
        } catch (error) {
          this.error(`error: ${(error as Error).message}`, { exitCode: 2, code: "mcpreverseproxy.usage" });
        }
        const handle = startReverseProxy(options);
        for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void handle.close());
        try {
          await handle.closed;
        } catch (error) {
          options.logger("error", (error as Error).message);
          process.exit(1);
        }
        process.exit(0);
      })
  );
}

/**
 * Turns parsed flags into {@link ReverseProxyOptions}.
 *
 * @throws {ReverseProxyError} `invalid_options` when a required option is missing or malformed.
 */
export function toReverseProxyOptions(cli: ReverseProxyCliOptions): ReverseProxyOptions {
  if (cli.localStdio === undefined || cli.localStdio.trim() === "")
    throw new ReverseProxyError(
      "invalid_options",
      "the local server is required: pass --local-stdio <command>",
    );
  if (cli.gateway === undefined)
    throw new ReverseProxyError(
      "invalid_options",
      "the gateway is required: pass --gateway <url> or set REVERSE_PROXY_GATEWAY",
    );
  let command: string[];
  try {
    command = splitCommandLine(cli.localStdio);
  } catch (error) {
    if (error instanceof CommandLineError) throw new ReverseProxyError("invalid_options", error.message);
    throw error;
  }
  if (command.length === 0) throw new ReverseProxyError("invalid_options", "--local-stdio names no program");
  const name = cli.name?.trim() || defaultServerName(command);
  const token = cli.token?.trim();
  return {
    command,
    url: tunnelUrl(cli.gateway),
    ...(token ? { token } : {}),
    name,
    ...(cli.description === undefined ? {} : { description: cli.description }),
    reconnectDelayMs: cli.reconnectDelay * 1000,
    maxReconnectDelayMs: cli.maxReconnectDelay * 1000,
    heartbeatMs: cli.heartbeat * 1000,
    logger: stderrLogger(cli.logLevel),
  };
}
