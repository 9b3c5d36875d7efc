/** Exponential restart backoff of a crashing server. */
export interface BackoffOptions {
  /** Delay after the first crash. Default 250 ms. */
  readonly initialMs?: number;
  /** Upper bound of the delay. Default 30 s. */
  readonly maxMs?: number;
  /** Growth per consecutive crash. Default 2. */
  readonly factor?: number;
  /** A process that ran at least this long before it crashed starts the count afresh. Default 60 s. */
  readonly resetAfterMs?: number;
}

/** {@link BackoffOptions} with every default applied. */
export type ResolvedBackoff = Required<BackoffOptions>;

/** Applies defaults and rejects nonsensical values (configuration errors surface at construction). */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  const backoff = { initialMs: 250, maxMs: 30_000, factor: 2, resetAfterMs: 60_000, ...options };
  if (!(backoff.initialMs >= 0) || !(backoff.maxMs >= backoff.initialMs) || !(backoff.factor >= 1)) {
    throw new RangeError("backoff needs 0 <= initialMs <= maxMs and factor >= 1");
  }
  return backoff;
}

/** The delay before the next start after `failures` consecutive crashes (0 when there were none). */
export function backoffDelay(backoff: ResolvedBackoff, failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** (failures - 1));
}
