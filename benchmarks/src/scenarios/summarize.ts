import { median } from "../load/latency-summary.js";
import type {
  CellRef,
  CellRep,
  CellResult,
  CellSummary,
  Measurement,
  RatioResult,
  RatioSpec,
  Spread,
  Target,
} from "./scenario.js";

/** Median and range of finite values (NaN when there are none). */
export function spreadOf(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite) };
}

/** Whether `value` meets `target`. */
export function meets(value: number, target: Target): boolean {
  return target.op === ">=" ? value >= target.value : value <= target.value;
}

/** The summary of a cell's repetitions. */
export function summarizeCell(reps: readonly CellRep[]): CellSummary {
  const measured = reps.filter((rep) => rep.load !== undefined && rep.usage !== undefined);
  const per1k = (cpuMs: number, calls: number): number => (calls > 0 ? (cpuMs * 1000) / calls : Number.NaN);
  const upstream = measured.filter((rep) => rep.upstreamUsage !== undefined);
  return {
    throughput: spreadOf(measured.map((rep) => rep.load?.throughput ?? Number.NaN)),
    p50: spreadOf(measured.map((rep) => rep.load?.latencyMs.p50 ?? Number.NaN)),
    p90: median(measured.map((rep) => rep.load?.latencyMs.p90 ?? Number.NaN)),
    p99: spreadOf(measured.map((rep) => rep.load?.latencyMs.p99 ?? Number.NaN)),
    calls: measured.reduce((sum, rep) => sum + (rep.load?.calls ?? 0), 0),
    errors: measured.reduce((sum, rep) => sum + (rep.load?.errors ?? 0), 0),
    mismatches: measured.reduce((sum, rep) => sum + (rep.load?.mismatches ?? 0), 0),
    cpuMsPer1k: median(measured.map((rep) => per1k(rep.usage?.cpuMs ?? 0, rep.load?.calls ?? 0))),
    ...(upstream.length > 0
      ? {
          upstreamCpuMsPer1k: median(
            upstream.map((rep) => per1k(rep.upstreamUsage?.cpuMs ?? 0, rep.load?.calls ?? 0)),
          ),
        }
      : {}),
    peakRssMb: median(measured.map((rep) => rep.usage?.peakRssMb ?? Number.NaN)),
    processes: median(measured.map((rep) => rep.usage?.processes ?? Number.NaN)),
    clientCpuMsPer1k: median(measured.map((rep) => per1k(rep.load?.clientCpuMs ?? 0, rep.load?.calls ?? 0))),
    failures: reps.flatMap((rep) =>
      rep.failure === undefined ? [] : [`rep ${rep.rep + 1}: ${rep.failure}`],
    ),
  };
}

function metricOf(
  cells: readonly CellResult[],
  ref: CellRef,
  rep: number,
  metric: RatioSpec["metric"],
): number {
  const cell = cells.find((c) => c.system === ref.system && c.variant.key === ref.variant);
  const load = cell?.reps.find((r) => r.rep === rep)?.load;
  if (load === undefined || load.calls === 0) return Number.NaN;
  return metric === "throughput" ? load.throughput : load.latencyMs.p50;
}

/** Computes a ratio repetition by repetition, then its median and range. */
export function computeRatio(spec: RatioSpec, cells: readonly CellResult[], reps: number): RatioResult {
  const values: number[] = [];
  const picks: string[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const top = metricOf(cells, spec.numerator, rep, spec.metric);
    let bottom: number;
    if ("bestOf" in spec.denominator) {
      const candidates = spec.denominator.bestOf
        .map((ref) => ({ ref, value: metricOf(cells, ref, rep, spec.metric) }))
        .filter((c) => Number.isFinite(c.value) && c.value > 0);
      candidates.sort((a, b) => (spec.metric === "throughput" ? b.value - a.value : a.value - b.value));
      const best = candidates[0];
      bottom = best?.value ?? Number.NaN;
      if (best !== undefined) picks.push(best.ref.system);
    } else {
      bottom = metricOf(cells, spec.denominator, rep, spec.metric);
    }
    values.push(top / bottom);
  }
  const finite = values.filter((v) => Number.isFinite(v));
  const value = finite.length === 0 ? undefined : spreadOf(finite);
  const detail = picks.length === 0 ? "" : `best of the peers, by repetition: ${picks.join(", ")}`;
  return {
    id: spec.id,
    label: spec.label,
    metric: spec.metric,
    ...(value === undefined ? {} : { value }),
    ...(spec.target === undefined ? {} : { target: spec.target }),
    ...(value === undefined || spec.target === undefined ? {} : { met: meets(value.median, spec.target) }),
    detail,
  };
}

/** A measurement from its per-repetition values, checked against its target. */
export function measurement(
  fields: Omit<Measurement, "value" | "met" | "values">,
  values: readonly number[],
): Measurement {
  const finite = values.filter((v) => Number.isFinite(v));
  const value = finite.length === 0 ? undefined : spreadOf(finite);
  return {
    ...fields,
    values,
    ...(value === undefined ? {} : { value }),
    ...(value === undefined || fields.target === undefined
      ? {}
      : { met: meets(value.median, fields.target) }),
  };
}
