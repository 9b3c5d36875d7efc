import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent } from "undici";
import { createSession, type Endpoint } from "../client/endpoint.js";
import { McpCallError, type McpSession } from "../client/mcp-session.js";
import { LatencyRecorder, type LatencySummary } from "./latency-summary.js";
import { MismatchError, runCall, type Workload } from "./workload.js";

/** Options for {@link runLoad}. */
export interface LoadOptions {
  readonly endpoint: Endpoint;
  readonly workload: Workload;
  /** Concurrent sessions, each running one call at a time. */
  readonly concurrency: number;
  /** The measured window, after the warm-up. */
  readonly durationMs: number;
  /** Calls made before the window are not counted (sessions are opened then). */
  readonly warmupMs: number;
  /** Close and reopen a session after this many calls; 0 keeps one session per worker. */
  readonly callsPerSession: number;
  /** Called when the measured window opens and closes (to measure the server side alongside). */
  readonly window?: { readonly opened: () => void; readonly closed: () => void };
}

/** What one load run measured (client side). */
export interface LoadResult {
  /** Calls completed without error in the window. */
  readonly calls: number;
  /** Failed calls in the window (transport, JSON-RPC or tool errors), mismatches included. */
  readonly errors: number;
  /** Answers that were not the ones asked for (another call's or client's echo, a short list). */
  readonly mismatches: number;
  /** Errors during the warm-up (not in `errors`). */
  readonly warmupErrors: number;
  readonly sessionsOpened: number;
  /** How long opening the first `concurrency` sessions took (before the warm-up). */
  readonly setupMs: number;
  readonly windowMs: number;
  /** Successful calls per second in the window. */
  readonly throughput: number;
  readonly latencyMs: LatencySummary;
  /** CPU time of the load generator itself during the run. */
  readonly clientCpuMs: number;
  /** The first few distinct error messages. */
  readonly errorSamples: readonly string[];
}

const RUN = Math.random().toString(36).slice(2, 8);
/** How long all sessions together may take to open before the run starts anyway. */
const SETUP_LIMIT_MS = 60_000;

/**
 * Drives `concurrency` sessions. First every session is opened (initialize, or nothing for
 * 2026; a bridge may start a child per session here), so that a storm of process starts is not
 * measured as call latency; then the calls run back to back for warm-up + duration, and only
 * those started in the window count. Keep-alive connections through one undici Agent.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, headersTimeout: 30_000, bodyTimeout: 0 });
  const latencies = new LatencyRecorder();
  const samples = new Set<string>();
  const counts = { errors: 0, mismatches: 0, warmupErrors: 0, sessionsOpened: 0 };
  let windowStart = Number.POSITIVE_INFINITY;
  let end = Number.POSITIVE_INFINITY;

  const fail = (error: unknown, inWindow: boolean): void => {
    if (!inWindow) counts.warmupErrors += 1;
    else {
      counts.errors += 1;
      if (error instanceof MismatchError) counts.mismatches += 1;
    }
    if (samples.size < 5) samples.add((error as Error).message ?? String(error));
  };

  /** A new open session, or undefined after a failure (counted). */
  const open = async (): Promise<McpSession | undefined> => {
    const session = createSession(options.endpoint, dispatcher);
    try {
      await session.open();
      counts.sessionsOpened += 1;
      return session;
    } catch (error) {
      fail(error, performance.now() >= windowStart);
      await session.close();
      await sleep(50);
      return undefined;
    }
  };

  const setupStarted = performance.now();
  const initial = await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() - setupStarted < SETUP_LIMIT_MS) {
        const session = await open();
        if (session !== undefined) return session;
      }
      return undefined;
    }),
  );
  const setupMs = performance.now() - setupStarted;

  const worker = async (index: number): Promise<void> => {
    let session = initial[index];
    let callsInSession = 0;
    let sessionNumber = 0;
    while (performance.now() < end) {
      if (session === undefined) {
        session = await open();
        if (session === undefined) continue;
        sessionNumber += 1;
        callsInSession = 0;
      }
      const tag = `${RUN}.w${index}.s${sessionNumber}.c${callsInSession}`;
      callsInSession += 1;
      const began = performance.now();
      try {
        await runCall(options.workload, session, tag);
        if (began >= windowStart) latencies.record(performance.now() - began);
      } catch (error) {
        fail(error, began >= windowStart);
        if (error instanceof McpCallError && error.kind === "transport") {
          await session.close();
          session = undefined;
          await sleep(10);
        }
      }
      if (session !== undefined && options.callsPerSession > 0 && callsInSession >= options.callsPerSession) {
        await session.close();
        session = undefined;
      }
    }
    await session?.close();
  };

  let cpuStart = process.cpuUsage();
  let cpu: NodeJS.CpuUsage | undefined;
  let windowState: "before" | "open" | "closed" = "before";
  const openWindow = (): void => {
    if (windowState !== "before") return;
    windowState = "open";
    cpuStart = process.cpuUsage();
    options.window?.opened();
  };
  const closeWindow = (): void => {
    openWindow();
    if (windowState !== "open") return;
    windowState = "closed";
    cpu = process.cpuUsage(cpuStart);
    options.window?.closed();
  };
  const start = performance.now();
  windowStart = start + options.warmupMs;
  end = windowStart + options.durationMs;
  const opened = setTimeout(openWindow, options.warmupMs);
  const closed = setTimeout(closeWindow, options.warmupMs + options.durationMs);
  await Promise.all(initial.map((_, i) => worker(i)));
  clearTimeout(opened);
  clearTimeout(closed);
  closeWindow();
  await dispatcher.destroy();
  const windowMs = options.durationMs;
  const used = cpu ?? process.cpuUsage(cpuStart);
  return {
    calls: latencies.count,
    ...counts,
    setupMs,
    windowMs,
    throughput: (latencies.count * 1000) / windowMs,
    latencyMs: latencies.summary(),
    clientCpuMs: (used.user + used.system) / 1000,
    errorSamples: [...samples],
  };
}
