#!/usr/bin/env node
import { createPostgresSchema, createRedisNamespace } from "@contextforge/testing";
import { startCluster } from "./cluster.js";
import { CLUSTER_DEFAULTS, clusterFlagsFrom, integerFlag, parseFlags } from "./cluster-flags.js";
import { runClusterLoad } from "./cluster-load.js";
import { ensureDatabase } from "./ensure-database.js";
import { formatSummary, type LoadSummary, problemsOf, summarize } from "./load-report.js";
import { runWorkload } from "./workload.js";

const USAGE = `Usage: load [--kill-after N] [--clients N] [--requests N] [--v1-clients N] [--timeout MS]
            [--url URL --token TOKEN | --database-url URL --redis-url URL --replicas N]

Runs sessionful MCP clients through a round-robin proxy: echo, progress, sampling and tools/list,
every answer checked. Prints a JSON summary and a table; exits 1 when a check fails.

Without --url it starts its own cluster (a fresh schema in --database-url and a fresh Redis prefix,
both removed at the end, the proxy on a free port) and can SIGKILL one replica with --kill-after.
With --url and --token (from start-cluster) it loads that cluster; --kill-after needs its own.

  --clients     concurrent clients (default 20)       --requests  requests per client (default 100)
  --v1-clients  of them on SDK v1 (default 3)         --timeout   per-request timeout in ms (default 15000)
  --kill-after  SIGKILL replica 1 after N completed requests
`;

async function ownCluster(
  values: Record<string, string | boolean | undefined>,
  load: Parameters<typeof runClusterLoad>[1],
): Promise<LoadSummary> {
  const flags = clusterFlagsFrom(values, process.env, { ...CLUSTER_DEFAULTS, port: 0 });
  await ensureDatabase(flags.databaseUrl);
  const schema = await createPostgresSchema({ url: flags.databaseUrl, label: "cluster-load" });
  const namespace = await createRedisNamespace({ url: flags.redisUrl, label: "cluster-load" });
  try {
    const cluster = await startCluster({
      databaseUrl: schema.url,
      redisUrl: flags.redisUrl,
      cachePrefix: namespace.prefix,
      port: flags.port,
      replicas: flags.replicas,
      log: (line) => process.stderr.write(`load: ${line}\n`),
    });
    try {
      process.stderr.write(`load: running against ${cluster.mcpUrl}\n`);
      return await runClusterLoad(cluster, load);
    } finally {
      await cluster.close();
    }
  } finally {
    await namespace.cleanup();
    await schema.drop();
  }
}

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), {
    url: { type: "string" },
    token: { type: "string" },
    clients: { type: "string" },
    requests: { type: "string" },
    "v1-clients": { type: "string" },
    timeout: { type: "string" },
    "kill-after": { type: "string" },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const str = (name: string): string | undefined =>
    typeof values[name] === "string" ? (values[name] as string) : undefined;
  const killAfter = str("kill-after");
  const load = {
    clients: integerFlag("clients", str("clients"), 20, 1),
    requestsPerClient: integerFlag("requests", str("requests"), 100, 1),
    v1Clients: integerFlag("v1-clients", str("v1-clients"), 3, 0),
    requestTimeoutMs: integerFlag("timeout", str("timeout"), 15_000, 1),
    ...(killAfter === undefined ? {} : { killAfter: integerFlag("kill-after", killAfter, 0, 1) }),
  };
  const url = str("url");
  let summary: LoadSummary;
  if (url === undefined) {
    summary = await ownCluster(values, load);
  } else {
    const token = str("token") ?? process.env.MCP_TOKEN;
    if (token === undefined) throw new Error("--url needs --token (or MCP_TOKEN)");
    if (killAfter !== undefined) throw new Error("--kill-after needs a cluster of its own: leave out --url");
    summary = summarize(await runWorkload({ ...load, url, token, gatewayName: "everything" }));
  }
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n\n${formatSummary(summary)}\n`);
  const problems = problemsOf(summary);
  if (problems.length > 0) {
    process.stdout.write(`\nFAILED:\n${problems.map((problem) => `- ${problem}`).join("\n")}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write("\nOK: no session lost, no notification lost, no wrong answer\n");
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
