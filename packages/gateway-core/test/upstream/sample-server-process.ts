import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getFreePort, type ManagedProcess, startProcess } from "@contextforge/testing";

const require = createRequire(import.meta.url);

/** The built CLI of a workspace sample server. */
export function sampleServerBin(packageName: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), "dist", "cli.js");
}

/** A sample server process over streamable HTTP that a test can kill and start again on its port. */
export interface SampleServer {
  readonly url: string;
  readonly port: number;
  /** The current process (a new one after {@link SampleServer.restart}). */
  process(): ManagedProcess;
  /** stderr of every process this handle started, in order. */
  stderr(): string;
  /** SIGKILLs the process (no graceful close: the upstream "crashes"). */
  kill(): Promise<void>;
  /** Starts the process again on the same port. */
  start(): Promise<void>;
}

/** Starts `packageName`'s bin with `--transport http --port <free port>`; `stopAllProcesses` ends it. */
export async function startSampleServer(
  packageName: string,
  extraArgs: readonly string[] = [],
): Promise<SampleServer> {
  const port = await getFreePort();
  const earlier: string[] = [];
  let current: ManagedProcess | undefined;
  const start = async (): Promise<void> => {
    if (current) earlier.push(current.output().stderr);
    current = await startProcess(
      process.execPath,
      [sampleServerBin(packageName), "--transport", "http", "--port", String(port), ...extraArgs],
      { readyPattern: /listening on/ },
    );
  };
  await start();
  const live = (): ManagedProcess => {
    if (!current) throw new Error("not started");
    return current;
  };
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    process: live,
    stderr: () => [...earlier, live().output().stderr].join(""),
    async kill() {
      const proc = live();
      proc.child.kill("SIGKILL");
      await proc.exited();
    },
    start,
  };
}
