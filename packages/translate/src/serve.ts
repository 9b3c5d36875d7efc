import type { TranslateLogger } from "./logger.js";
import { TranslateError } from "./translate-error.js";

/** A running bridge as {@link serve} needs it. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Runs the bridge `start` opens until SIGINT or SIGTERM, then stops accepting, ends every session
 * (and child), and exits 0. `fail` reports invalid options (the CLI exits 2); other start-up
 * failures reject (the CLI exits 1).
 */
export async function serve(
  start: () => Promise<Closable>,
  logger: TranslateLogger | undefined,
  fail: (message: string) => never,
): Promise<void> {
  let handle: Closable | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: the supervisor's exit hook still kills every child group.
      process.exit(1);
    }
    stopping = true;
    logger?.("info", `${signal}: shutting down`);
    void (handle?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  // Installed before anything starts, so a signal during start-up is handled too.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    handle = await start();
  } catch (error) {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    if (error instanceof TranslateError && error.code === "invalid_options") fail(error.message);
    throw error;
  }
  if (stopping) await handle.close();
}
