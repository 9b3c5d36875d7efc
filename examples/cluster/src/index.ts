export { type Cluster, type ClusterOptions, type ClusterReplica, startCluster } from "./cluster.js";
export { type ClusterLoadOptions, runClusterLoad } from "./cluster-load.js";
export {
  type ClientKind,
  connectV1Client,
  connectV2Client,
  type LoadClient,
  type ToolAnswer,
} from "./load-client.js";
export { formatSummary, type LoadSummary, problemsOf, summarize } from "./load-report.js";
export {
  type ProxyStats,
  type RoundRobinProxy,
  type RoundRobinProxyOptions,
  startRoundRobinProxy,
} from "./round-robin-proxy.js";
export {
  type OperationKind,
  type RequestRecord,
  runWorkload,
  type WorkloadOptions,
  type WorkloadResult,
} from "./workload.js";
