/** Kills what an owner still runs, synchronously (only synchronous work runs in an `exit` handler). */
export type ExitCleanup = () => void;

const cleanups = new Set<ExitCleanup>();
const SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

function runCleanups(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // One failing owner must not keep the others from cleaning up.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // Listening to a signal replaces Node's default (exit). When another listener exists it owns
  // the shutdown (and will close its supervisors); the `exit` hook still catches what is left.
  if (process.listenerCount(signal) > 1) return;
  runCleanups();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  process.on("exit", runCleanups);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  process.off("exit", runCleanups);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * Registers a cleanup that runs when this process exits or receives SIGTERM/SIGINT that nobody
 * else handles. The process-wide hooks are installed with the first registration and removed with
 * the last, so an idle library leaves no listeners behind. Returns the unregister function.
 */
export function registerExitCleanup(cleanup: ExitCleanup): () => void {
  if (cleanups.size === 0) install();
  cleanups.add(cleanup);
  return () => {
    if (cleanups.delete(cleanup) && cleanups.size === 0) uninstall();
  };
}
