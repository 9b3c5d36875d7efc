import { type ChildProcess, spawn } from "node:child_process";

/** Options for {@link startProcess}. */
export interface StartProcessOptions {
  readonly cwd?: string;
  /** Added to (not replacing) the parent's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Resolve only once this appears on stdout or stderr. */
  readonly readyPattern?: RegExp;
  readonly readyTimeoutMs?: number;
}

/** A child process owned by a test: its output is kept, and {@link ManagedProcess.stop} ends it. */
export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): { stdout: string; stderr: string };
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited(): Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<number | string>;
}

const live = new Set<ManagedProcess>();

/** Spawns `command args` without a shell and keeps its output for assertions. */
export async function startProcess(
  command: string,
  args: readonly string[],
  options: StartProcessOptions = {},
): Promise<ManagedProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const watchers = new Set<() => void>();
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const w of watchers) w();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    for (const w of watchers) w();
  });
  const exit = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      for (const w of watchers) w();
      resolve(code ?? signal ?? "unknown");
    });
  });
  let hasExited = false;
  void exit.then(() => {
    hasExited = true;
  });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", reject);
  });
  const pid = child.pid ?? -1;

  const managed: ManagedProcess = {
    child,
    pid,
    output: () => ({ stdout, stderr }),
    exited: () => exit,
    waitForOutput(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = stdout.match(pattern) ?? stderr.match(pattern);
          if (match) {
            done();
            resolve(match);
          } else if (hasExited || child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(
              new Error(
                `${command} exited before printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
            ),
          );
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      });
    },
    async stop(graceMs = 5_000) {
      live.delete(managed);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        const result = await exit;
        clearTimeout(timer);
        return result;
      }
      return exit;
    },
  };
  live.add(managed);
  if (options.readyPattern) {
    try {
      await managed.waitForOutput(options.readyPattern, options.readyTimeoutMs);
    } catch (error) {
      await managed.stop(1_000);
      throw error;
    }
  }
  return managed;
}

/** Stops every process started through {@link startProcess} that is still running. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
}
