import type { ConnectOptions } from "./connect/connect-options.js";
import { startConnect } from "./connect/start-connect.js";
import { TranslateError } from "./translate-error.js";

/**
 * Runs a remote-to-stdio bridge until stdin closes (exit 0), SIGINT or SIGTERM (exit 0), or the
 * remote stays unreachable for `maxRetries` attempts (exit 1). `fail` reports invalid options
 * (the CLI exits 2).
 */
export async function serveConnect(options: ConnectOptions, fail: (message: string) => never): Promise<void> {
  let handle: ReturnType<typeof startConnect>;
  try {
    handle = startConnect(options);
  } catch (error) {
    if (error instanceof TranslateError && error.code === "invalid_options") fail(error.message);
    throw error;
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    options.logger?.("info", `${signal}: shutting down`);
    void handle.close();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const end = await handle.done;
  // Sockets kept alive for reuse would hold the process open; nothing is left to do.
  process.exit(end === "gave_up" ? 1 : 0);
}
