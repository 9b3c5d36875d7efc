#!/usr/bin/env node
import { startCluster } from "./cluster.js";
import { clusterFlagsFrom, parseFlags } from "./cluster-flags.js";

const USAGE = `Usage: start-cluster [--database-url URL] [--redis-url URL] [--port N] [--replicas N]

Starts the sample MCP server, N gateway processes (mcpgateway) sharing one PostgreSQL database
and one Redis, and a round-robin proxy without affinity on --port; prints the proxy URL and an
administrator token. Ctrl-C stops everything.

  --database-url  env CLUSTER_DATABASE_URL  default postgresql://postgres@127.0.0.1:5432/contextforge_cluster (created if missing)
  --redis-url     env CLUSTER_REDIS_URL     default redis://127.0.0.1:6379/0
  --port          env CLUSTER_PORT          default 4444
  --replicas      env CLUSTER_REPLICAS      default 3
`;

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), {});
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const flags = clusterFlagsFrom(values, process.env);
  const cluster = await startCluster({
    ...flags,
    log: (line) => process.stderr.write(`start-cluster: ${line}\n`),
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`start-cluster: ${signal}, stopping every process\n`);
    cluster.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`start-cluster: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.stdout.write(
    [
      `proxy        ${cluster.url}  (round robin, no affinity)`,
      `MCP endpoint ${cluster.mcpUrl}`,
      ...cluster.replicas.map((replica) => `replica ${replica.index}    ${replica.url}  pid ${replica.pid}`),
      `upstream     ${cluster.upstreamUrl}  registered as "${cluster.gatewayName}"`,
      "",
      `export MCP_URL=${cluster.mcpUrl}`,
      `export MCP_TOKEN=${cluster.token}`,
      "",
      "pnpm --filter @contextforge/example-cluster load --url $MCP_URL --token $MCP_TOKEN",
      "Ctrl-C stops the cluster.",
      "",
    ].join("\n"),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`start-cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
