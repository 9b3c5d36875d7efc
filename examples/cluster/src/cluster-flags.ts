import { type ParseArgsOptionsConfig, parseArgs } from "node:util";

/** The flags both commands take to start a cluster. */
export interface ClusterFlags {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly port: number;
  readonly replicas: number;
}

/** Defaults of {@link ClusterFlags}, each overridable by an environment variable and then a flag. */
export const CLUSTER_DEFAULTS: ClusterFlags = {
  databaseUrl: "postgresql://postgres@127.0.0.1:5432/contextforge_cluster",
  redisUrl: "redis://127.0.0.1:6379/0",
  port: 4444,
  replicas: 3,
};

/** The `parseArgs` option table of {@link ClusterFlags}. */
export const CLUSTER_FLAG_OPTIONS = {
  "database-url": { type: "string" },
  "redis-url": { type: "string" },
  port: { type: "string" },
  replicas: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parses a whole number flag, failing with the flag's name. */
export function integerFlag(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min)
    throw new Error(`--${name} must be an integer >= ${min}, got "${value}"`);
  return parsed;
}

/** Reads the cluster flags from parsed `values`, with `CLUSTER_DATABASE_URL`, `CLUSTER_REDIS_URL`, `CLUSTER_PORT` and `CLUSTER_REPLICAS` under them. */
export function clusterFlagsFrom(
  values: Readonly<Record<string, string | boolean | undefined>>,
  env: NodeJS.ProcessEnv,
  defaults: ClusterFlags = CLUSTER_DEFAULTS,
): ClusterFlags {
  const text = (flag: string, variable: string): string | undefined => {
    const value = values[flag];
    return typeof value === "string" ? value : env[variable] || undefined;
  };
  return {
    databaseUrl: text("database-url", "CLUSTER_DATABASE_URL") ?? defaults.databaseUrl,
    redisUrl: text("redis-url", "CLUSTER_REDIS_URL") ?? defaults.redisUrl,
    port: integerFlag("port", text("port", "CLUSTER_PORT"), defaults.port, 0),
    replicas: integerFlag("replicas", text("replicas", "CLUSTER_REPLICAS"), defaults.replicas, 1),
  };
}

/** `parseArgs` over `argv` with the cluster flags and `extra` ones. */
export function parseFlags(
  argv: readonly string[],
  extra: ParseArgsOptionsConfig,
): Record<string, string | boolean | undefined> {
  const { values } = parseArgs({
    args: [...argv],
    options: { ...CLUSTER_FLAG_OPTIONS, ...extra },
    strict: true,
  });
  return values as Record<string, string | boolean | undefined>;
}
