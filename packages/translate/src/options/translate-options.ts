import { CommandLineError, splitCommandLine } from "@contextforge/mcp-transport";
import { TranslateError } from "../translate-error.js";
import { type ExposeOptions, type ResolvedExposeOptions, resolveExposeOptions } from "./expose-options.js";
import { atLeastZero, invalid } from "./option-checks.js";

/** Options of {@link startTranslate}. Only `stdio` is required. */
export interface TranslateOptions extends ExposeOptions {
  /** The stdio MCP server: a command line (split like a shell, none is run) or argv. */
  readonly stdio: string | readonly string[];
  /** One child for all sessions, multiplexed by JSON-RPC id. Default false: a child per session. */
  readonly shared?: boolean;
  /**
   * Streamable HTTP without sessions (the 2026-07-28 wire and the 2025 stateless mode), served by
   * shared children (implies `shared`). Turns on `exposeStreamableHttp`; SSE and WebSocket cannot
   * be exposed with it.
   */
  readonly stateless?: boolean;
  /**
   * Request headers that become environment variables of the child, as `{ header: variable }`.
   * Sessions (or stateless requests) with different values get different children.
   */
  readonly headerToEnv?: Readonly<Record<string, string>>;
  /** Extra environment for the child, on top of this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Grace between closing a child's stdin, SIGTERM and SIGKILL. Default 2 s. */
  readonly killGraceMs?: number;
  /** What children write to stderr. Default: discarded. */
  readonly onChildStderr?: (text: string) => void;
}

/** {@link TranslateOptions} with every default applied, validated. */
export interface ResolvedTranslateOptions extends ResolvedExposeOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly shared: boolean;
  readonly env: Readonly<Record<string, string>>;
  readonly killGraceMs: number;
  readonly onChildStderr: ((text: string) => void) | undefined;
}

/** `--stdio` split like a shell would; a malformed one is `invalid_options`. */
function commandWords(line: string): string[] {
  try {
    return splitCommandLine(line);
  } catch (error) {
    if (error instanceof CommandLineError) throw new TranslateError("invalid_options", error.message);
    throw error;
  }
}

/** Applies defaults and checks that the options work together; throws `invalid_options`. */
export function resolveTranslateOptions(options: TranslateOptions): ResolvedTranslateOptions {
  const argv = typeof options.stdio === "string" ? commandWords(options.stdio) : [...options.stdio];
  const [command, ...args] = argv;
  if (command === undefined || command === "") invalid("--stdio needs a command to run");
  const stateless = options.stateless ?? false;
  if (stateless && (options.exposeSse || options.exposeWs)) {
    invalid("--stateless serves streamable HTTP only (SSE and WebSocket connections are sessions)");
  }
  return {
    ...resolveExposeOptions(options, { stateless, headerToEnv: options.headerToEnv ?? {} }),
    command,
    args,
    shared: (options.shared ?? false) || stateless,
    env: options.env ?? {},
    killGraceMs: atLeastZero("killGraceMs", options.killGraceMs ?? 2_000),
    onChildStderr: options.onChildStderr,
  };
}
