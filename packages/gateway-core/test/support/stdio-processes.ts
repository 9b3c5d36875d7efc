import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/**
 * The `args` of a stdio gateway running the everything sample over stdio. `marker` goes into a
 * harmless Node option, so the test can find the process in /proc by its command line.
 */
export function everythingStdioArgs(marker: string): string[] {
  const cli = join(
    dirname(require.resolve("@contextforge/server-everything/package.json")),
    "dist",
    "cli.js",
  );
  return [`--disable-warning=${marker}`, cli, "--transport", "stdio"];
}

/** Pids of live processes whose command line contains `marker` (Linux /proc). */
export function pidsWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
      if (cmdline.includes(marker) && state !== "Z") pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns its last answer. */
export async function eventually(probe: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
