/**
 * Runs `close` on the first SIGINT or SIGTERM, then exits 0 (1 if closing failed). A second signal
 * while closing exits at once.
 */
export function onShutdownSignal(close: () => Promise<void>): void {
  let closing = false;
  const shutdown = (): void => {
    if (closing) process.exit(1);
    closing = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("mcp-fast-time: error while shutting down", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
