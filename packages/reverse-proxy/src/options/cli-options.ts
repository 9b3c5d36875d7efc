import { CommandLineError, splitCommandLine } from "@contextforge/mcp-transport";
import type { Command } from "commander";
import { type LogLevel, stderrLogger } from "../logger.js";
import { ReverseProxyError } from "../reverse-proxy-error.js";
import type { ReverseProxyConfig } from "./config-file.js";
import { definedVariables } from "./defined-variables.js";
import type { ReverseProxyOptions } from "./reverse-proxy-options.js";
import { defaultServerName, tunnelUrl } from "./tunnel-url.js";

/** The parsed command-line options, before defaults that depend on each other. */
export interface ReverseProxyCliOptions {
  config?: string;
  localStdio?: string;
  gateway?: URL;
  token?: string;
  name?: string;
  description?: string;
  reconnectDelay: number;
  maxReconnectDelay: number;
  /** Failed reconnection attempts in a row before giving up; 0: never give up. */
  maxRetries: number;
  keepalive: number;
  /** Variables for the local server (`--env KEY=VALUE`), on top of this process's environment. */
  env?: Record<string, string>;
  logLevel: LogLevel;
}

/** Settings a config file may give, each the attribute name of its option. */
const CONFIG_OPTIONS = [
  "localStdio",
  "gateway",
  "token",
  "name",
  "description",
  "reconnectDelay",
  "maxReconnectDelay",
  "maxRetries",
  "keepalive",
  "logLevel",
] as const satisfies readonly (keyof ReverseProxyConfig & keyof ReverseProxyCliOptions)[];

/**
 * Fills `command`'s options from a config file where neither a flag nor an environment variable
 * set them (flags > environment > config file > defaults). `env` merges per variable, `--env`
 * winning.
 */
export function applyConfig(command: Command, config: ReverseProxyConfig): void {
  for (const key of CONFIG_OPTIONS) {
    const value = config[key];
    const source = command.getOptionValueSource(key);
    if (value !== undefined && (source === undefined || source === "default"))
      command.setOptionValueWithSource(key, value, "config");
  }
  if (config.env !== undefined) {
    const flags = command.getOptionValue("env") as Record<string, string> | undefined;
    command.setOptionValueWithSource("env", { ...config.env, ...flags }, flags ? "cli" : "config");
  }
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
      "the local server is required: pass --local-stdio <command> (or localStdio in --config)",
    );
  if (cli.gateway === undefined)
    throw new ReverseProxyError(
      "invalid_options",
      "the gateway is required: pass --gateway <url>, set REVERSE_PROXY_GATEWAY or put gateway in --config",
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
  const hasEnv = cli.env !== undefined && Object.keys(cli.env).length > 0;
  return {
    command,
    url: tunnelUrl(cli.gateway),
    ...(token ? { token } : {}),
    name,
    ...(cli.description === undefined ? {} : { description: cli.description }),
    reconnectDelayMs: cli.reconnectDelay * 1000,
    maxReconnectDelayMs: cli.maxReconnectDelay * 1000,
    maxRetries: cli.maxRetries,
    heartbeatMs: cli.keepalive * 1000,
    ...(hasEnv ? { env: { ...definedVariables(process.env), ...cli.env } } : {}),
    logger: stderrLogger(cli.logLevel),
  };
}
