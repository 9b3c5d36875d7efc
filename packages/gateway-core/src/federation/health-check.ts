import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../db/database-schema.js";
import type { UpstreamPool } from "../mcp/upstream/upstream-pool-types.js";
import { addressOf } from "../mcp/upstream-caller.js";
import type { Logger } from "../observability/logger.js";
import {
  type GatewayHealthRow,
  listGatewayHealth,
  writeGatewayHealth,
} from "../registry/gateways/gateway-health-repository.js";
import type { RegistrySnapshotSource, SnapshotUpstream } from "../registry/registry-snapshot.js";

/** Collaborators and limits of {@link createHealthChecker}. */
export interface HealthCheckOptions {
  readonly db: Kysely<DatabaseSchema>;
  /** Where the upstreams' addresses (credentials decrypted) come from. */
  readonly snapshots: RegistrySnapshotSource;
  readonly pool: Pick<UpstreamPool, "ping">;
  /** Re-discovers a gateway's tools, resources and prompts (the gateway service's refresh). */
  readonly refresh: (gatewayId: string) => Promise<unknown>;
  /** Called (once per round) when a gateway became unreachable or reachable again. */
  readonly onReachabilityChange: () => void;
  /** Deadline of one ping (HEALTH_CHECK_TIMEOUT). */
  readonly timeoutMs: number;
  /** Failed checks in a row that make a gateway unreachable (UNHEALTHY_THRESHOLD). */
  readonly unhealthyThreshold: number;
  /** Gateways checked at once. Default 16. */
  readonly concurrency?: number;
  readonly logger?: Logger;
}

/** What one round found for one enabled gateway. */
export interface GatewayHealthOutcome {
  readonly gatewayId: string;
  readonly slug: string;
  /**
   * `answered` (a JSON-RPC error counts), `failed`, or `skipped`: a stdio upstream with no process
   * running (it starts on the next call), or a gateway newer than the registry snapshot.
   */
  readonly check: "answered" | "failed" | "skipped";
  /** Whether the gateway is reachable after this round. */
  readonly reachable: boolean;
  /** Why the check failed (names the upstream, never its credentials). */
  readonly error?: string;
  /** Whether its items were re-discovered (its `refresh_interval_seconds` had elapsed). */
  readonly refreshed: boolean;
}

/** The outcome of one round, per enabled gateway. */
export interface HealthRound {
  readonly gateways: readonly GatewayHealthOutcome[];
}

/** Runs health check rounds; a round is safe to run on any instance, the loop runs it on the leader. */
export interface HealthChecker {
  /** Pings every enabled gateway, stores the outcomes, then refreshes the gateways that are due. */
  runRound(signal?: AbortSignal): Promise<HealthRound>;
}

/**
 * Health checks: an MCP `ping` to each enabled gateway through the upstream pool, bounded by
 * `timeoutMs`. An answer resets its failures and makes it reachable; a failure counts, and at
 * `unhealthyThreshold` in a row makes it unreachable (its items hidden or flagged, its calls
 * failing fast). A stdio upstream is pinged only while its process runs, unless it is
 * unreachable: then a process is started (under the supervisor's caps) to see whether it answers
 * again, since no call would start one.
 */
export function createHealthChecker(options: HealthCheckOptions): HealthChecker {
  const { db, snapshots, pool, logger } = options;
  const concurrency = options.concurrency ?? 16;

  const check = async (
    row: GatewayHealthRow,
    upstream: SnapshotUpstream | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Omit<GatewayHealthOutcome, "refreshed">> => {
    const base = { gatewayId: row.id, slug: row.slug };
    if (upstream === undefined) return { ...base, check: "skipped", reachable: row.reachable };
    let error: string;
    try {
      const result = await pool.ping(addressOf(upstream), {
        timeoutMs: options.timeoutMs,
        startStdio: !row.reachable,
        ...(signal ? { signal } : {}),
      });
      if (result === "not-running") return { ...base, check: "skipped", reachable: row.reachable };
      await writeGatewayHealth(db, row.id, { answered: true, at: new Date().toISOString() });
      if (!row.reachable) logger?.info({ gatewayId: row.id, gateway: row.slug }, "upstream reachable again");
      return { ...base, check: "answered", reachable: true };
    } catch (failure) {
      signal?.throwIfAborted();
      error = failure instanceof Error ? failure.message : String(failure);
    }
    const consecutiveFailures = row.consecutiveFailures + 1;
    const reachable = row.reachable && consecutiveFailures < options.unhealthyThreshold;
    await writeGatewayHealth(db, row.id, { answered: false, error, reachable, consecutiveFailures });
    if (row.reachable && !reachable) {
      logger?.warn(
        { gatewayId: row.id, gateway: row.slug, consecutiveFailures, error },
        "upstream marked unreachable",
      );
    }
    return { ...base, check: "failed", reachable, error };
  };

  const refreshIfDue = async (row: GatewayHealthRow, outcome: Omit<GatewayHealthOutcome, "refreshed">) => {
    if (outcome.check === "failed" || !outcome.reachable || !refreshDue(row, Date.now())) return false;
    try {
      await options.refresh(row.id);
      return true;
    } catch (error) {
      logger?.warn({ err: error, gatewayId: row.id, gateway: row.slug }, "periodic refresh failed");
      return false;
    }
  };

  return {
    async runRound(signal) {
      const [snapshot, rows] = await Promise.all([snapshots.current(), listGatewayHealth(db)]);
      const checked = await mapLimited(rows, concurrency, (row) =>
        check(row, snapshot.upstreams.get(row.id), signal),
      );
      if (checked.some((outcome, i) => outcome.reachable !== rows[i]?.reachable))
        options.onReachabilityChange();
      const refreshed = await mapLimited(rows, concurrency, (row, i) => {
        signal?.throwIfAborted();
        return refreshIfDue(row, checked[i] as Omit<GatewayHealthOutcome, "refreshed">);
      });
      return { gateways: checked.map((outcome, i) => ({ ...outcome, refreshed: refreshed[i] === true })) };
    },
  };
}

/** Whether a gateway's `refresh_interval_seconds` has elapsed since its last discovery. */
function refreshDue(row: GatewayHealthRow, now: number): boolean {
  if (row.refreshIntervalSeconds === null || row.refreshIntervalSeconds <= 0) return false;
  if (row.lastRefreshAt === null) return true;
  return Date.parse(row.lastRefreshAt) + row.refreshIntervalSeconds * 1000 <= now;
}

/** `fn` over `items`, at most `limit` at once; results in input order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
