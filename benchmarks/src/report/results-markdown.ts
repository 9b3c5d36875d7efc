import type { CellResult, ScenarioResult } from "../scenarios/scenario.js";
import { cellText, ms, num, ratio, spread, status, targetText } from "./format.js";
import { evaluateTargets } from "./targets.js";

/** Scenario order in RESULTS.md (the issue's). */
export const SCENARIO_ORDER: readonly string[] = [
  "direct",
  "gateway",
  "aggregation",
  "translate",
  "aggregator",
  "footprint",
];

function runsTable(results: readonly ScenarioResult[]): string[] {
  const lines = [
    "| scenario | finished (UTC) | window / warm-up / reps | payload | Node | CPU | load avg start → end | commit |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const s = r.settings;
    const e = r.environment;
    lines.push(
      `| ${r.id} | ${r.finishedAt.slice(0, 16).replace("T", " ")} | ${s.durationMs / 1000} s / ${s.warmupMs / 1000} s / ${s.reps}${s.quick ? " (quick)" : ""} | ` +
        `${s.payloadBytes} B | ${e.node} | ${cellText(e.cpu)}, ${e.cores} cores, ${e.memoryGb} GB | ` +
        `${e.loadAverage[0].toFixed(2)} → ${e.loadAverage[1].toFixed(2)} | ${e.commit} |`,
    );
  }
  return lines;
}

function targetsTable(results: ReadonlyMap<string, ScenarioResult>): string[] {
  const lines = ["| target | measured: median (min-max) | goal | status |", "|---|---|---|---|"];
  for (const row of evaluateTargets(results)) {
    const format =
      row.unit === "x" ? ratio : (n: number) => `${num(n, row.unit === "MB" ? 1 : 0)} ${row.unit}`;
    lines.push(
      `| ${cellText(row.text)} | ${spread(row.value, format)} | ${targetText(row.target, row.unit)} | ${status(row.met)} |`,
    );
  }
  return lines;
}

function cellRow(cell: CellResult): string {
  const s = cell.summary;
  if (s.calls === 0 && s.failures.length > 0) {
    return `| ${cellText(cell.systemLabel)} | ${cell.endpointLabel} | ${cell.variant.concurrency} | ${cell.workloadLabel} | failed: ${cellText(s.failures[0] ?? "")} | | | | | | |`;
  }
  const errors = `${num(s.errors)}${s.mismatches > 0 ? ` (**${num(s.mismatches)} wrong answers**)` : ""}`;
  const cpu = `${num(s.cpuMsPer1k)}${s.upstreamCpuMsPer1k === undefined ? "" : ` (+${num(s.upstreamCpuMsPer1k)} upstream)`}`;
  const rss = `${num(s.peakRssMb, 0)}${s.processes > 1 ? ` (${num(s.processes)} proc.)` : ""}`;
  return (
    `| ${cellText(cell.systemLabel)} | ${cell.endpointLabel} | ${cell.variant.concurrency} | ${cell.workloadLabel} | ` +
    `${spread(s.throughput, (n) => num(n))} | ${spread(s.p50, ms)} | ${ms(s.p90)} | ${spread(s.p99, ms)} | ${errors} | ${cpu} | ${rss} |`
  );
}

function scenarioSection(result: ScenarioResult): string[] {
  const lines = [`## ${result.title}`, "", result.description, ""];
  if (result.cells.length > 0) {
    lines.push(
      "| system | endpoint | c | workload | calls/s | p50 ms | p90 ms | p99 ms | errors | CPU ms / 1k calls | peak RSS MB |",
      "|---|---|---|---|---|---|---|---|---|---|---|",
      ...result.cells.map(cellRow),
      "",
    );
  }
  if (result.ratios.length > 0) {
    lines.push(
      "| ratio (per repetition, then median) | measured: median (min-max) | goal | status |",
      "|---|---|---|---|",
    );
    for (const r of result.ratios) {
      const goal = r.target === undefined ? "" : targetText(r.target, "x");
      const state = r.target === undefined ? "" : status(r.met);
      const detail = r.detail === "" ? "" : ` <br>${cellText(r.detail)}`;
      lines.push(`| ${cellText(r.label)}${detail} | ${spread(r.value, ratio)} | ${goal} | ${state} |`);
    }
    lines.push("");
  }
  if (result.measurements.length > 0) {
    lines.push("| system | measurement | median (min-max) | goal | status |", "|---|---|---|---|---|");
    for (const m of result.measurements) {
      const goal = m.target === undefined ? "" : targetText(m.target, m.unit);
      const format = (n: number): string => `${num(n, m.unit === "MB" ? 1 : 0)} ${m.unit}`;
      lines.push(
        `| ${m.system} | ${cellText(m.label)} | ${spread(m.value, format)} | ${goal} | ${m.target === undefined ? "" : status(m.met)} |`,
      );
    }
    lines.push("");
  }
  const failures = result.cells.flatMap((c) =>
    c.summary.failures.map((f) => `${c.system} ${c.variant.key}, ${f}`),
  );
  for (const note of [...result.notes, ...failures]) lines.push(`- ${cellText(note)}`);
  if (result.notes.length + failures.length > 0) lines.push("");
  return lines;
}

/** RESULTS.md from the scenario results at hand (the latest run of each). */
export function resultsMarkdown(all: readonly ScenarioResult[], peerLines: readonly string[]): string {
  const results = [...all].sort((a, b) => SCENARIO_ORDER.indexOf(a.id) - SCENARIO_ORDER.indexOf(b.id));
  const byId = new Map(results.map((r) => [r.id, r]));
  const quick = results.some(
    (r) =>
      r.settings.quick ||
      r.settings.reps < 3 ||
      r.settings.durationMs < 20_000 ||
      r.settings.warmupMs < 5_000,
  );
  return [
    "# Benchmark results",
    "",
    "Written by `pnpm bench` (see [README.md](README.md) for what each scenario does and how to run it); raw",
    "figures in [results/](results/). Each figure is the median over the repetitions, the range (min-max)",
    "in parentheses. Ratios are computed within each repetition, where the systems ran minutes apart, then",
    "summarized the same way. CPU and RSS are those of the system's whole process tree (children included).",
    "",
    quick
      ? "> **Noisy figures.** This is a short run (fewer or shorter repetitions than the defaults: 20 s after a 5 s warm-up, 3 repetitions) on a shared 2-core machine where other work was running (see the load averages). Read the ratios as indications, not as the published numbers."
      : "> Measured on a 2-core machine that may be shared: the load averages below show what else ran.",
    "",
    ...runsTable(results),
    "",
    "## Targets (issue 10)",
    "",
    ...targetsTable(byId),
    "",
    ...results.flatMap(scenarioSection),
    "## Peers",
    "",
    ...peerLines.map((line) => `- ${line}`),
    "",
  ].join("\n");
}
