import type { TranslateOptions } from "./options/translate-options.js";
import { startTranslate, type TranslateHandle } from "./start-translate.js";
import { TranslateError } from "./translate-error.js";

/**
 * Runs the bridge until SIGINT or SIGTERM, then stops accepting, ends every session and child, and
 * exits 0. `fail` reports invalid options (the CLI exits 2).
 */
export async function serve(options: TranslateOptions, fail: (message: string) => never): Promise<void> {
  let handle: TranslateHandle | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: the supervisor's exit hook still kills every child group.
      process.exit(1);
    }
    stopping = true;
    options.logger?.("info", `${signal}: shutting down`);
    void (handle?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  // Installed before anything starts, so a signal during start-up is handled too.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    handle = await startTranslate(options);
  } catch (error) {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    if (error instanceof TranslateError && error.code === "invalid_options") fail(error.message);
    throw error;
  }
  if (stopping) await handle.close();
}
