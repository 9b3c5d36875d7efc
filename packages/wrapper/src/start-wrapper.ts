import type { Readable, Writable } from "node:stream";
import { encodeJsonRpcLine, JsonRpcLineDecoder } from "@contextforge/mcp-transport";
import type { WrapperOptions } from "./options/wrapper-options.js";
import { WrapperRelay } from "./relay/wrapper-relay.js";

/** The streams the wrapper speaks MCP on: normally `process.stdin` and `process.stdout`. */
export interface WrapperStdio {
  readonly input: Readable;
  readonly output: Writable;
}

/** A running wrapper. */
export interface WrapperHandle {
  /** Resolves once the wrapper has stopped: input ended (or {@link close}), session DELETEd. */
  readonly closed: Promise<void>;
  /** Stops now: pending requests are abandoned, the remote session is DELETEd. */
  close(): Promise<void>;
}

/**
 * Starts relaying between `stdio` and the remote MCP server at `options.url`. When the input
 * ends, answers to requests already sent are still written (each within its timeout), then the
 * remote session is ended; {@link WrapperHandle.close} (the CLI's SIGTERM) skips that wait.
 */
export function startWrapper(options: WrapperOptions, stdio: WrapperStdio): WrapperHandle {
  const { input, output } = stdio;
  const relay = new WrapperRelay({
    target: { url: options.url, headers: options.headers },
    timeoutMs: options.timeoutMs,
    concurrency: options.concurrency,
    logger: options.logger,
    write: (message) => {
      if (output.writable) output.write(encodeJsonRpcLine(message));
    },
  });
  const decoder = new JsonRpcLineDecoder();
  let resolveClosed = (): void => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let stopping: Promise<void> | undefined;
  const stop = (drain: boolean): Promise<void> => {
    input.off("data", onData);
    // close() during a drain ends the drain: the relay settles every pending request.
    stopping =
      stopping && drain
        ? stopping
        : (async () => {
            if (drain) await relay.drain();
            await relay.close();
            resolveClosed();
          })();
    return stopping;
  };
  const onData = (chunk: Buffer | string): void => {
    for (const line of decoder.push(chunk)) relay.receive(line);
  };

  input.on("data", onData);
  input.once("end", () => {
    for (const line of decoder.end()) relay.receive(line);
    options.logger("debug", "stdin ended");
    void stop(true);
  });
  input.once("error", (error) => {
    options.logger("warn", `stdin: ${error.message}`);
    void stop(false);
  });
  // The client went away (EPIPE): nobody reads the answers any more.
  output.once("error", (error) => {
    options.logger("debug", `stdout: ${error.message}`);
    void stop(false);
  });

  return { closed, close: () => stop(false) };
}
