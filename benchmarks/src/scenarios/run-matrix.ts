import { endpointLabel } from "../client/endpoint.js";
import { resolveToolName } from "../load/resolve-tool.js";
import { runLoad } from "../load/run-load.js";
import { type Workload, workloadLabel } from "../load/workload.js";
import { ResourceMonitor, type ResourceUsage } from "../measure/resource-monitor.js";
import { currentLoad, environmentInfo } from "../report/environment-info.js";
import type { RunningSystem } from "../systems/system.js";
import type {
  BenchSettings,
  CellRep,
  CellResult,
  RatioSpec,
  Scenario,
  ScenarioResult,
  SystemPlan,
  Variant,
} from "./scenario.js";
import { computeRatio, summarizeCell } from "./summarize.js";

/** What a matrix scenario runs: systems with their variants, and the ratios to report. */
export interface MatrixDefinition {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly plans: (settings: BenchSettings) => readonly SystemPlan[];
  readonly ratios: readonly RatioSpec[];
  readonly notes?: readonly string[];
}

/** Prints one progress line to stderr. */
export function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : "-");

async function measureVariant(
  running: RunningSystem,
  variant: Variant,
  settings: BenchSettings,
  tools: Map<string, string>,
): Promise<Omit<CellRep, "rep">> {
  const endpoint = running.endpoints[variant.endpoint];
  if (endpoint === undefined) throw new Error(`no endpoint ${variant.endpoint}`);
  let workload: Workload;
  if (variant.workload.kind === "list") workload = variant.workload;
  else {
    let tool = tools.get(variant.endpoint);
    if (tool === undefined) {
      tool = await resolveToolName(endpoint, "echo");
      tools.set(variant.endpoint, tool);
    }
    workload = { kind: "echo", tool, payloadBytes: settings.payloadBytes };
  }
  let monitors: [ResourceMonitor, ResourceMonitor | undefined] | undefined;
  let usage: [ResourceUsage, ResourceUsage | undefined] | undefined;
  const load = await runLoad({
    endpoint,
    workload,
    concurrency: variant.concurrency,
    durationMs: settings.durationMs,
    warmupMs: settings.warmupMs,
    callsPerSession: settings.callsPerSession,
    window: {
      opened: () => {
        const upstream =
          running.upstreamRoots.length > 0 ? new ResourceMonitor(running.upstreamRoots) : undefined;
        monitors = [new ResourceMonitor(running.roots), upstream];
      },
      closed: () => {
        if (monitors !== undefined) usage = [monitors[0].stop(), monitors[1]?.stop()];
      },
    },
  });
  if (usage === undefined) throw new Error("the measured window never closed");
  return { load, usage: usage[0], ...(usage[1] === undefined ? {} : { upstreamUsage: usage[1] }) };
}

/**
 * Runs every system's variants, repetition after repetition, the systems in a rotated order
 * each time (so none always runs first or right after a heavy one); each system is started
 * fresh for each repetition and stopped after its variants.
 */
export function matrixScenario(definition: MatrixDefinition): Scenario {
  return {
    id: definition.id,
    title: definition.title,
    async run(settings: BenchSettings): Promise<ScenarioResult> {
      const startedAt = new Date().toISOString();
      const startLoad = currentLoad();
      const plans = definition.plans(settings);
      const reps = new Map<string, CellRep[]>();
      const keyOf = (system: string, variant: string): string => `${system}\u0000${variant}`;
      for (let rep = 0; rep < settings.reps; rep++) {
        const order = plans.map((_, i) => plans[(i + rep) % plans.length] as SystemPlan);
        for (const plan of order) {
          const record = (variant: Variant, cell: Omit<CellRep, "rep">): void => {
            const key = keyOf(plan.spec.id, variant.key);
            reps.set(key, [...(reps.get(key) ?? []), { rep, ...cell }]);
          };
          let running: RunningSystem;
          try {
            running = await plan.spec.start();
          } catch (error) {
            const failure = `could not start: ${(error as Error).message.split("\n")[0]}`;
            progress(`[${definition.id}] rep ${rep + 1} ${plan.spec.id}: ${failure}`);
            for (const variant of plan.variants) record(variant, { failure });
            continue;
          }
          const tools = new Map<string, string>();
          try {
            for (const variant of plan.variants) {
              try {
                const cell = await measureVariant(running, variant, settings, tools);
                record(variant, cell);
                const { load } = cell;
                progress(
                  `[${definition.id}] rep ${rep + 1}/${settings.reps} ${plan.spec.id} ${variant.key}: ` +
                    `${fmt(load?.throughput ?? Number.NaN)} calls/s, p50 ${fmt(load?.latencyMs.p50 ?? Number.NaN, 2)} ms, ` +
                    `errors ${load?.errors ?? 0}${load?.errorSamples.length ? ` (${load.errorSamples[0]})` : ""}`,
                );
              } catch (error) {
                const failure = (error as Error).message.split("\n")[0] ?? "failed";
                progress(`[${definition.id}] rep ${rep + 1} ${plan.spec.id} ${variant.key}: ${failure}`);
                record(variant, { failure });
              }
            }
          } finally {
            await running.stop();
          }
        }
      }
      const cells: CellResult[] = plans.flatMap((plan) =>
        plan.variants.map((variant) => {
          const cellReps = reps.get(keyOf(plan.spec.id, variant.key)) ?? [];
          return {
            system: plan.spec.id,
            systemLabel: plan.spec.label,
            variant,
            endpointLabel: endpointKindLabel(variant.endpoint),
            workloadLabel: variant.workload.kind === "list" ? workloadLabel(variant.workload) : "echo",
            reps: cellReps,
            summary: summarizeCell(cellReps),
          };
        }),
      );
      return {
        id: definition.id,
        title: definition.title,
        description: definition.description,
        startedAt,
        finishedAt: new Date().toISOString(),
        settings,
        environment: environmentInfo(startLoad),
        cells,
        ratios: definition.ratios.map((spec) => computeRatio(spec, cells, settings.reps)),
        measurements: [],
        notes: definition.notes ?? [],
      };
    },
  };
}

/** `HTTP 2025`, `HTTP 2026`, `SSE`, `stdio` from an endpoint key. */
function endpointKindLabel(key: string): string {
  if (key.startsWith("http2026"))
    return endpointLabel({ transport: "streamable-http", url: "", era: "2026" });
  if (key.startsWith("http")) return endpointLabel({ transport: "streamable-http", url: "", era: "2025" });
  if (key.startsWith("sse")) return "SSE";
  return key.startsWith("stdio") ? "stdio" : key;
}
