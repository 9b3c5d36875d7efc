import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The benchmarks package (this file is at `dist/systems/` or `src/systems/`). */
export const BENCH_DIR: string = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The repository root. */
export const REPO_ROOT: string = join(BENCH_DIR, "..");

/** The built CLIs of the workspace packages under test. */
export const WORKSPACE_CLIS: {
  readonly everything: string;
  readonly gateway: string;
  readonly translate: string;
} = {
  everything: join(REPO_ROOT, "servers", "everything", "dist", "cli.js"),
  gateway: join(REPO_ROOT, "packages", "gateway-core", "dist", "cli.js"),
  translate: join(REPO_ROOT, "packages", "translate", "dist", "cli.js"),
};

const require = createRequire(import.meta.url);

/** The file a peer's `bin` entry points at (the peers are devDependencies of this package). */
export function peerBin(pkg: string, bin: string = pkg): string {
  const manifestPath = require.resolve(`${pkg}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
    bin?: string | Record<string, string>;
  };
  const entry = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[bin];
  if (entry === undefined) throw new Error(`${pkg} has no bin ${bin}`);
  return join(dirname(manifestPath), entry);
}

/** The version of an installed peer. */
export function peerVersion(pkg: string): string {
  const manifestPath = require.resolve(`${pkg}/package.json`);
  return (JSON.parse(readFileSync(manifestPath, "utf8")) as { version: string }).version;
}

const scratchDirs = new Set<string>();

/** A temporary directory for one system; the returned function removes it. */
export function scratchDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `cf-bench-${prefix}-`));
  scratchDirs.add(path);
  return {
    path,
    remove: () => {
      scratchDirs.delete(path);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Removes every scratch directory still there (when the harness exits or is interrupted). */
export function removeScratchDirs(): void {
  for (const path of scratchDirs) {
    try {
      rmSync(path, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A process killed a moment ago may still hold a file; the OS cleans /tmp eventually.
    }
  }
  scratchDirs.clear();
}

/**
 * The environment a child gets: PATH and a private HOME/XDG tree in `home`, nothing else of the
 * harness's environment (no stray DATABASE_URL or LOG_LEVEL changes a figure), plus `extra`.
 */
export function childEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_STATE_HOME: join(home, ".state"),
    XDG_DATA_HOME: join(home, ".data"),
    LANG: "C.UTF-8",
    ...extra,
  };
}

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Options for {@link waitForHttp}. */
export interface WaitForHttpOptions {
  readonly timeoutMs?: number;
  /** Which statuses mean ready. Default: 200. */
  readonly accept?: (status: number) => boolean;
  readonly intervalMs?: number;
}

/** Polls `url` until it answers with a status `accept` likes; resolves with the time it took. */
export async function waitForHttp(url: string, options: WaitForHttpOptions = {}): Promise<number> {
  const {
    timeoutMs = 20_000,
    accept = (status: number): boolean => status === 200,
    intervalMs = 50,
  } = options;
  const started = performance.now();
  let last = "no answer";
  while (performance.now() - started < timeoutMs) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (accept(response.status)) return performance.now() - started;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last})`);
}

/** `node <script>` as one command line for peers that take a command string. */
export function nodeCommandLine(script: string, args: readonly string[]): string {
  return [process.execPath, script, ...args].map((part) => `"${part.replaceAll('"', '\\"')}"`).join(" ");
}
