import type { Logger } from "../observability/logger.js";
import type { HealthChecker } from "./health-check.js";

/** Options of {@link createHealthLoop}. */
export interface HealthLoopOptions {
  readonly checker: HealthChecker;
  /** Rounds run only while this answers true (the elected leader). */
  readonly isLeader: () => boolean;
  /** Time between the end of one round and the start of the next (HEALTH_CHECK_INTERVAL). */
  readonly intervalMs: number;
  readonly logger?: Logger;
}

/** The periodic health checks of one instance. */
export interface HealthLoop {
  /** Runs a round every `intervalMs` (the first one interval after start) while leader. */
  start(): void;
  /** Stops the timer, aborts the round in flight and waits for it. Idempotent. */
  stop(): Promise<void>;
}

/** Schedules health check rounds; rounds never overlap, a failed round is logged and the next one runs. */
export function createHealthLoop(options: HealthLoopOptions): HealthLoop {
  const { checker, intervalMs, logger } = options;
  if (!(intervalMs > 0)) throw new RangeError("intervalMs must be a positive number");
  let timer: ReturnType<typeof setTimeout> | undefined;
  let started = false;
  let stopped = false;
  const abort = new AbortController();
  let running: Promise<void> | undefined;

  const tick = async (): Promise<void> => {
    if (!options.isLeader()) return;
    try {
      await checker.runRound(abort.signal);
    } catch (error) {
      if (!abort.signal.aborted) logger?.error({ err: error }, "health check round failed");
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    }, intervalMs);
    timer.unref();
  };

  return {
    start() {
      if (started || stopped) return;
      started = true;
      schedule();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      abort.abort(new Error("the gateway is stopping"));
      await running;
    },
  };
}
