import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { applyConfig, type ReverseProxyCliOptions, toReverseProxyOptions } from "./options/cli-options.js";
import { loadConfigFile } from "./options/config-file.js";
import {
  parseEnvAssignment,
  parseGatewayUrl,
  parseLogLevel,
  parseRetries,
  parseSeconds,
} from "./options/option-parsers.js";
import {
  DEFAULT_HEARTBEAT_SECONDS,
  DEFAULT_MAX_RECONNECT_DELAY_SECONDS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_RECONNECT_DELAY_SECONDS,
  type ReverseProxyOptions,
} from "./options/reverse-proxy-options.js";
import { startReverseProxy } from "./start-reverse-proxy.js";

/** The package version, read from its package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

const EXAMPLES = `
Examples:
  mcpreverseproxy --local-stdio "uvx mcp-server-git" --gateway https://gw.example.com --token TOKEN
  REVERSE_PROXY_GATEWAY=https://gw.example.com REVERSE_PROXY_TOKEN=TOKEN \\
    mcpreverseproxy --local-stdio "node server.js" --name my-server

  mcpreverseproxy --config reverse-proxy.yaml --token TOKEN

The tunnel is an outbound WebSocket to <gateway>/reverse-proxy/ws; nothing listens locally.
A local server that exits is restarted with the reconnection backoff.
Diagnostics go to stderr. Flags win over environment variables, which win over --config.
Exit codes: 0 after SIGINT/SIGTERM, 1 on a fatal error (or --max-retries exhausted), 2 on a usage error.`;

/**
 * The `mcpreverseproxy` command. Usage errors (a bad flag or config file) exit 2; SIGINT and
 * SIGTERM close the tunnel and the local server and exit 0; a refused token, a local server that
 * cannot start, or `--max-retries` failed reconnections in a row exit 1.
 */
export function createProgram(): Command {
  const program: Command = new Command("mcpreverseproxy")
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
      new Option(
        "--max-retries <count>",
        "give up (exit 1) after this many failed reconnection attempts in a row; 0: retry forever",
      )
        .env("REVERSE_PROXY_MAX_RETRIES")
        .argParser(parseRetries)
        .default(DEFAULT_MAX_RETRIES),
    )
    .addOption(
      new Option("--keepalive <seconds>", "ping the gateway this often; a missed pong re-dials; 0: off")
        .env("REVERSE_PROXY_KEEPALIVE")
        .argParser(parseSeconds)
        .default(DEFAULT_HEARTBEAT_SECONDS),
    )
    .addOption(new Option("--heartbeat <seconds>", "alias of --keepalive").argParser(parseSeconds))
    .addOption(
      new Option(
        "--env <KEY=VALUE>",
        "a variable for the local server, on top of this environment (repeatable)",
      ).argParser(parseEnvAssignment),
    )
    .addOption(
      new Option(
        "--config <file>",
        "read settings from a YAML or JSON file (keys: the long flags, camelCase or kebab-case, and env)",
      ).env("REVERSE_PROXY_CONFIG"),
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
        const configFile = this.opts<ReverseProxyCliOptions>().config;
        if (configFile !== undefined) applyConfig(this, loadConfigFile(configFile));
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
    });
  // `--heartbeat` is the older name of `--keepalive`: both set the one `keepalive` value. This
  // listener runs after commander's own, which has parsed and validated the value.
  program.on("option:heartbeat", () =>
    program.setOptionValueWithSource("keepalive", program.getOptionValue("heartbeat"), "cli"),
  );
  return program;
}
