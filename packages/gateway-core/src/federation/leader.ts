import type { Logger } from "../observability/logger.js";

/** Where the leader's lease is kept (Redis, a database row): one holder at a time, with an expiry. */
export interface LeaderLease {
  /**
   * Takes the lease for `holder` when it is free or expired, or extends it when `holder` holds it
   * already, for `ttlMs`; resolves with whether `holder` holds it afterwards.
   */
  acquire(holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up when `holder` holds it, so another instance can take it at once. */
  release(holder: string): Promise<void>;
}

/** Whether this instance runs the periodic jobs (health checks, refreshes): one instance does. */
export interface LeaderElection {
  /** This instance's id, as stored in the lease. */
  readonly instanceId: string;
  /** True while this instance holds an unexpired lease. */
  isLeader(): boolean;
  /** Takes or renews the lease once, now; resolves with {@link isLeader}. */
  renew(): Promise<boolean>;
  /** Renews the lease every `renewIntervalMs` (the first time at once) until {@link stop}. */
  start(): void;
  /** Stops renewing and gives the lease up when held (stepping down). Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link createLeaderElection}. */
export interface LeaderElectionOptions {
  readonly lease: LeaderLease;
  readonly instanceId: string;
  /** How long a lease lasts without renewal; about three renewal periods. */
  readonly ttlMs: number;
  readonly renewIntervalMs: number;
  readonly logger?: Logger;
  /** Called when this instance becomes leader (true) or stops being one (false). */
  readonly onChange?: (leader: boolean) => void;
}

/**
 * An election over a lease: the holder renews it every `renewIntervalMs`; when it stops (or dies)
 * the lease expires and the next instance to try takes it. An instance that cannot reach the
 * lease store leads no longer than its last lease lasts, counted from before it was asked for,
 * so two instances never both believe they lead (clocks agreeing within the TTL's slack).
 *
 * @throws {RangeError} when the renewal period is not shorter than the TTL.
 */
export function createLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const { lease, instanceId, ttlMs, renewIntervalMs, logger } = options;
  if (!(renewIntervalMs > 0 && ttlMs > renewIntervalMs))
    throw new RangeError("the lease must outlast its renewal period (ttlMs > renewIntervalMs > 0)");
  let leader = false;
  let validUntil = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let started = false;
  let stopped = false;
  let inFlight: Promise<boolean> | undefined;

  const become = (next: boolean): void => {
    if (next === leader) return;
    leader = next;
    logger?.info({ instanceId }, next ? "became leader" : "stepped down as leader");
    options.onChange?.(next);
  };
  const isLeader = (): boolean => {
    if (leader && Date.now() >= validUntil) become(false);
    return leader;
  };
  const attempt = async (): Promise<boolean> => {
    const askedAt = Date.now();
    try {
      const held = await lease.acquire(instanceId, ttlMs);
      validUntil = held ? askedAt + ttlMs : 0;
      become(held);
    } catch (error) {
      logger?.warn({ err: error, instanceId }, "could not renew the leader lease");
    }
    return isLeader();
  };
  const renew = (): Promise<boolean> => {
    if (stopped) return Promise.resolve(false);
    inFlight ??= attempt().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void renew().finally(schedule);
    }, renewIntervalMs);
    timer.unref();
  };

  return {
    instanceId,
    isLeader,
    renew,
    start() {
      if (started || stopped) return;
      started = true;
      void renew().finally(schedule);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      const held = leader;
      become(false);
      if (!held) return;
      try {
        await lease.release(instanceId);
      } catch (error) {
        logger?.warn({ err: error, instanceId }, "could not release the leader lease; it expires on its own");
      }
    },
  };
}

/** The election of a lone instance (one SQLite database, no Redis): always the leader until stopped. */
export function soleLeader(instanceId: string): LeaderElection {
  let stopped = false;
  return {
    instanceId,
    isLeader: () => !stopped,
    renew: async () => !stopped,
    start() {},
    async stop() {
      stopped = true;
    },
  };
}
