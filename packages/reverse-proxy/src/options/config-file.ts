import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import * as z from "zod";
import type { LogLevel } from "../logger.js";
import { ReverseProxyError } from "../reverse-proxy-error.js";
import { isEnvName, parseGatewayUrl, parseLogLevel } from "./option-parsers.js";

/** The settings a `--config` file may hold, under the long flags' names in camelCase. */
export interface ReverseProxyConfig {
  readonly localStdio?: string;
  readonly gateway?: URL;
  readonly token?: string;
  readonly name?: string;
  readonly description?: string;
  readonly reconnectDelay?: number;
  readonly maxReconnectDelay?: number;
  readonly maxRetries?: number;
  readonly keepalive?: number;
  readonly logLevel?: LogLevel;
  /** Variables for the local server, on top of this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Wraps a flag parser (which throws commander's `InvalidArgumentError`) as a zod transform. */
function viaParser<T>(parser: (value: string) => T) {
  return (value: string, context: z.RefinementCtx): T => {
    try {
      return parser(value);
    } catch (error) {
      context.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  };
}

const seconds = z
  .number({ error: "expected a number of seconds >= 0" })
  .min(0, "expected a number of seconds >= 0");
const text = z.string({ error: "expected a string" });

const CONFIG_SCHEMA = z
  .strictObject({
    localStdio: text.trim().min(1, "expected the local server's command"),
    gateway: text.transform(viaParser(parseGatewayUrl)),
    token: text,
    name: text.trim().min(1, "expected a non-empty name"),
    description: text,
    reconnectDelay: seconds,
    maxReconnectDelay: seconds,
    maxRetries: z
      .number({ error: "expected a whole number >= 0 (0: retry forever)" })
      .int("expected a whole number >= 0 (0: retry forever)")
      .min(0, "expected a whole number >= 0 (0: retry forever)"),
    keepalive: seconds,
    logLevel: text.transform(viaParser(parseLogLevel)),
    env: z.record(
      z.string().refine(isEnvName, "expected variable names without '='"),
      // YAML reads `PORT: 8080` as a number; the environment only holds strings.
      z
        .union([z.string(), z.number(), z.boolean()], { error: "expected a string, number or boolean" })
        .transform(String),
      { error: "expected a mapping of variable names to values" },
    ),
  })
  .partial();

/** Config keys that name a setting under another spelling: the `--heartbeat` alias. */
const KEY_ALIASES: Readonly<Record<string, string>> = { heartbeat: "keepalive" };

/**
 * Reads a `--config` file: JSON for `.json` (or content starting with `{`), YAML otherwise. Keys
 * are the long flags in camelCase or kebab-case (`localStdio` or `local-stdio`), plus `env`.
 *
 * @throws {ReverseProxyError} `invalid_options` naming the file and the key, for an unreadable
 *   file, a syntax error, an unknown key or a bad value.
 */
export function loadConfigFile(path: string): ReverseProxyConfig {
  const fail = (message: string, cause?: unknown): never => {
    throw new ReverseProxyError("invalid_options", `config file ${path}: ${message}`, { cause });
  };
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (error) {
    return fail(
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      error,
    );
  }
  const extension = extname(path).toLowerCase();
  const asJson =
    extension === ".json" || (extension !== ".yaml" && extension !== ".yml" && /^\s*\{/.test(source));
  let document: unknown;
  try {
    document = asJson ? JSON.parse(source) : parseYaml(source);
  } catch (error) {
    return fail(
      `is not valid ${asJson ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`,
      error,
    );
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== "object" || Array.isArray(document)) return fail("expected a mapping of settings");

  // Keys as written, by their camelCase name, so an error names the key the user wrote.
  const written = new Map<string, string>();
  const normalized: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    const camel = key.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    const target = KEY_ALIASES[camel] ?? camel;
    const earlier = written.get(target);
    if (earlier !== undefined) return fail(`"${key}" and "${earlier}" set the same option`);
    written.set(target, key);
    normalized[target] = value;
  }
  const parsed = CONFIG_SCHEMA.safeParse(normalized);
  if (parsed.success) return parsed.data as ReverseProxyConfig;
  const issue = parsed.error.issues[0];
  if (issue?.code === "unrecognized_keys") {
    const keys = issue.keys.map((key) => `"${written.get(key) ?? key}"`);
    return fail(`unknown key${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`);
  }
  const [top, ...rest] = issue?.path ?? [];
  const key = [written.get(String(top)) ?? String(top), ...rest.map(String)].join(".");
  return fail(`${key}: ${issue?.message ?? "invalid value"}`);
}
