import type { Cluster } from "./cluster.js";
import { type LoadSummary, summarize } from "./load-report.js";
import type { ProxyStats } from "./round-robin-proxy.js";
import { runWorkload, type WorkloadOptions } from "./workload.js";

/** Options of {@link runClusterLoad}: the workload's, minus what the cluster provides. */
export type ClusterLoadOptions = Omit<WorkloadOptions, "url" | "token" | "gatewayName" | "kill"> & {
  /** Which replica `killAfter` SIGKILLs. Default 1 (the second). */
  readonly killReplica?: number;
};

function difference(after: ProxyStats["served"], before: ProxyStats["served"]): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([replica, n]) => [replica, n - (before[replica] ?? 0)]),
  );
}

/**
 * Runs the workload through `cluster`'s proxy; with `killAfter`, SIGKILLs one replica after that
 * many completed requests. The summary carries the proxy's per-replica counts, in all and since the
 * killed replica was gone.
 */
export async function runClusterLoad(
  cluster: Cluster,
  options: ClusterLoadOptions = {},
): Promise<LoadSummary> {
  const victim = options.killReplica ?? 1;
  let atKill: ProxyStats | undefined;
  const result = await runWorkload({
    ...options,
    url: cluster.mcpUrl,
    token: cluster.token,
    gatewayName: cluster.gatewayName,
    kill: async () => {
      await cluster.kill(victim);
      atKill = cluster.proxy.stats();
    },
  });
  const stats = cluster.proxy.stats();
  return summarize(
    result,
    atKill === undefined ? stats : { ...stats, servedAfterKill: difference(stats.served, atKill.served) },
  );
}
