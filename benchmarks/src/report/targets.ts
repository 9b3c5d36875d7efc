import type { ScenarioResult, Spread, Target } from "../scenarios/scenario.js";
import { meets, spreadOf } from "../scenarios/summarize.js";

/** One target of the benchmark issue and what the latest run measured for it. */
export interface TargetRow {
  readonly text: string;
  readonly scenario: string;
  readonly unit: "x" | "MB" | "ms" | "answers";
  readonly value?: Spread;
  readonly target: Target;
  /** Undefined: not measured (the scenario was not run, or its cells failed). */
  readonly met?: boolean;
}

type Source =
  | { readonly kind: "ratio"; readonly scenario: string; readonly id: string }
  | { readonly kind: "measurement"; readonly scenario: string; readonly id: string }
  | {
      readonly kind: "peak-rss";
      readonly scenario: string;
      readonly system: string;
      readonly variant: string;
    }
  | {
      readonly kind: "mismatches";
      readonly scenario: string;
      readonly system: string;
      readonly endpoint: string;
    };

interface TargetSpec {
  readonly text: string;
  readonly unit: TargetRow["unit"];
  readonly source: Source;
  readonly target: Target;
}

const ratio = (scenario: string, id: string): Source => ({ kind: "ratio", scenario, id });

/** The targets, in its order. */
const TARGETS: readonly TargetSpec[] = [
  {
    text: "gateway HTTP -> HTTP upstream, c=16 throughput vs direct HTTP",
    unit: "x",
    source: ratio("gateway", "gateway-http-vs-direct-c16"),
    target: { op: ">=", value: 0.6 },
  },
  {
    text: "gateway HTTP -> HTTP upstream, c=1 p50 vs direct HTTP",
    unit: "x",
    source: ratio("gateway", "gateway-http-vs-direct-p50-c1"),
    target: { op: "<=", value: 2 },
  },
  {
    text: "gateway HTTP -> stdio upstream vs best streamable-HTTP peer, c=1",
    unit: "x",
    source: ratio("gateway", "gateway-stdio-vs-peers-c1"),
    target: { op: ">=", value: 1.5 },
  },
  {
    text: "gateway HTTP -> stdio upstream vs best streamable-HTTP peer, c=16",
    unit: "x",
    source: ratio("gateway", "gateway-stdio-vs-peers-c16"),
    target: { op: ">=", value: 1.5 },
  },
  {
    text: "gateway -> stdio: 2026-07-28 stateless vs 2025 session, c=1",
    unit: "x",
    source: ratio("gateway", "gateway-stdio-2026-vs-2025-c1"),
    target: { op: ">=", value: 1 },
  },
  {
    text: "gateway -> stdio: 2026-07-28 stateless vs 2025 session, c=16",
    unit: "x",
    source: ratio("gateway", "gateway-stdio-2026-vs-2025-c16"),
    target: { op: ">=", value: 1 },
  },
  {
    text: "gateway legacy SSE vs mcp-hub, c=16",
    unit: "x",
    source: ratio("aggregator", "gateway-sse-vs-mcp-hub-c16"),
    target: { op: ">=", value: 1.2 },
  },
  {
    text: "gateway legacy SSE: answers delivered to the wrong client",
    unit: "answers",
    source: { kind: "mismatches", scenario: "aggregator", system: "gateway-stdio", endpoint: "sse" },
    target: { op: "<=", value: 0 },
  },
  {
    text: "mcptranslate vs best of supergateway and mcp-proxy, streamable HTTP, c=1",
    unit: "x",
    source: ratio("translate", "translate-http-vs-peers-c1"),
    target: { op: ">=", value: 1.5 },
  },
  {
    text: "mcptranslate vs best of supergateway and mcp-proxy, streamable HTTP, c=32",
    unit: "x",
    source: ratio("translate", "translate-http-vs-peers-c32"),
    target: { op: ">=", value: 1.5 },
  },
  {
    text: "mcptranslate vs best of supergateway and mcp-proxy, SSE, c=1",
    unit: "x",
    source: ratio("translate", "translate-sse-vs-peers-c1"),
    target: { op: ">=", value: 1.5 },
  },
  {
    text: "mcptranslate vs best of supergateway and mcp-proxy, SSE, c=32",
    unit: "x",
    source: ratio("translate", "translate-sse-vs-peers-c32"),
    target: { op: ">=", value: 1.5 },
  },
  {
    text: "tools/list over 1,000 tools from 20 upstreams vs one upstream's 50 (p50, all pages)",
    unit: "x",
    source: ratio("aggregation", "aggregation-list-p50-c1"),
    target: { op: "<=", value: 2 },
  },
  {
    text: "gateway idle RSS",
    unit: "MB",
    source: { kind: "measurement", scenario: "footprint", id: "gateway-idle-rss" },
    target: { op: "<=", value: 80 },
  },
  {
    text: "gateway RSS at c=16 (HTTP upstream, peak)",
    unit: "MB",
    source: { kind: "peak-rss", scenario: "gateway", system: "gateway-http", variant: "http2025-c16" },
    target: { op: "<=", value: 250 },
  },
  {
    text: "gateway RSS added by 1,000 open idle sessions",
    unit: "MB",
    source: { kind: "measurement", scenario: "footprint", id: "gateway-sessions-delta" },
    target: { op: "<=", value: 100 },
  },
  {
    text: "gateway start to /ready on SQLite",
    unit: "ms",
    source: { kind: "measurement", scenario: "footprint", id: "gateway-ready" },
    target: { op: "<=", value: 1_000 },
  },
];

function measuredValue(source: Source, results: ReadonlyMap<string, ScenarioResult>): Spread | undefined {
  const result = results.get(source.scenario);
  if (result === undefined) return undefined;
  switch (source.kind) {
    case "ratio":
      return result.ratios.find((r) => r.id === source.id)?.value;
    case "measurement":
      return result.measurements.find((m) => m.id === source.id)?.value;
    case "peak-rss": {
      const cell = result.cells.find((c) => c.system === source.system && c.variant.key === source.variant);
      const values = (cell?.reps ?? []).flatMap((rep) =>
        rep.usage === undefined ? [] : [rep.usage.peakRssMb],
      );
      return values.length === 0 ? undefined : spreadOf(values);
    }
    case "mismatches": {
      const cells = result.cells.filter(
        (c) => c.system === source.system && c.variant.endpoint === source.endpoint,
      );
      const measured = cells.flatMap((c) => c.reps).filter((rep) => rep.load !== undefined);
      if (measured.length === 0) return undefined;
      const total = measured.reduce((sum, rep) => sum + (rep.load?.mismatches ?? 0), 0);
      return { median: total, min: total, max: total };
    }
  }
}

/** Every target with its measured value from the scenario results at hand. */
export function evaluateTargets(results: ReadonlyMap<string, ScenarioResult>): TargetRow[] {
  return TARGETS.map((spec) => {
    const value = measuredValue(spec.source, results);
    return {
      text: spec.text,
      scenario: spec.source.scenario,
      unit: spec.unit,
      target: spec.target,
      ...(value === undefined || !Number.isFinite(value.median)
        ? {}
        : { value, met: meets(value.median, spec.target) }),
    };
  });
}
