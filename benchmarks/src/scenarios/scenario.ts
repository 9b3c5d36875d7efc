import type { LoadResult } from "../load/run-load.js";
import type { ResourceUsage } from "../measure/resource-monitor.js";
import type { EnvironmentInfo } from "../report/environment-info.js";
import type { SystemSpec } from "../systems/system.js";

/** How long and how often to measure (the command line's flags). */
export interface BenchSettings {
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly reps: number;
  readonly payloadBytes: number;
  /** 0: each session lives for the whole run. */
  readonly callsPerSession: number;
  readonly quick: boolean;
}

/** One measurement of a system: an endpoint, a concurrency and a workload. */
export interface Variant {
  /** Unique within the system, e.g. `http2025-c16`. */
  readonly key: string;
  /** The key of the system's endpoint to load. */
  readonly endpoint: string;
  readonly concurrency: number;
  readonly workload:
    | { readonly kind: "echo" }
    | { readonly kind: "list"; readonly expectedTools: number; readonly firstPageOnly?: boolean };
}

/** A system and the variants measured on it each repetition. */
export interface SystemPlan {
  readonly spec: SystemSpec;
  readonly variants: readonly Variant[];
}

/** A cell: one variant of one system. */
export interface CellRef {
  readonly system: string;
  readonly variant: string;
}

/** A target on a value: `>= 0.6`, `<= 2`. */
export interface Target {
  readonly op: ">=" | "<=";
  readonly value: number;
}

/** A ratio between cells, computed per repetition (the systems ran minutes apart) then summarized. */
export interface RatioSpec {
  readonly id: string;
  readonly label: string;
  readonly metric: "throughput" | "p50";
  readonly numerator: CellRef;
  /** One cell, or the best of several (highest throughput, lowest p50) in the same repetition. */
  readonly denominator: CellRef | { readonly bestOf: readonly CellRef[] };
  readonly target?: Target;
}

/** The median and the spread (min..max) over repetitions. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** One repetition of a cell. */
export interface CellRep {
  readonly rep: number;
  readonly load?: LoadResult;
  readonly usage?: ResourceUsage;
  readonly upstreamUsage?: ResourceUsage;
  readonly failure?: string;
}

/** What RESULTS.md shows for a cell. */
export interface CellSummary {
  readonly throughput: Spread;
  readonly p50: Spread;
  readonly p90: number;
  readonly p99: Spread;
  readonly calls: number;
  readonly errors: number;
  readonly mismatches: number;
  /** CPU time of the system's process tree per 1,000 successful calls (median). */
  readonly cpuMsPer1k: number;
  /** The same for a separately measured upstream (gateway -> HTTP upstream). */
  readonly upstreamCpuMsPer1k?: number;
  /** The highest sampled RSS of the system's process tree (median over repetitions). */
  readonly peakRssMb: number;
  readonly processes: number;
  readonly clientCpuMsPer1k: number;
  readonly failures: readonly string[];
}

/** A measured cell. */
export interface CellResult {
  readonly system: string;
  readonly systemLabel: string;
  readonly variant: Variant;
  readonly endpointLabel: string;
  readonly workloadLabel: string;
  readonly reps: readonly CellRep[];
  readonly summary: CellSummary;
}

/** A computed ratio. */
export interface RatioResult {
  readonly id: string;
  readonly label: string;
  readonly metric: "throughput" | "p50";
  /** Undefined when a cell it needs failed or was not run. */
  readonly value?: Spread;
  readonly target?: Target;
  readonly met?: boolean;
  /** Which cell was the best of the denominator's, by repetition. */
  readonly detail: string;
}

/** A single-valued measurement (footprint). */
export interface Measurement {
  readonly id: string;
  readonly system: string;
  readonly label: string;
  readonly unit: string;
  readonly values: readonly number[];
  readonly value?: Spread;
  readonly target?: Target;
  readonly met?: boolean;
}

/** Everything a scenario run produced: the raw JSON file. */
export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly settings: BenchSettings;
  readonly environment: EnvironmentInfo;
  readonly cells: readonly CellResult[];
  readonly ratios: readonly RatioResult[];
  readonly measurements: readonly Measurement[];
  readonly notes: readonly string[];
}

/** A scenario of the benchmark issue. */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  run(settings: BenchSettings): Promise<ScenarioResult>;
}
