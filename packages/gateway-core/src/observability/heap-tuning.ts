import { PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";

/**
 * The young generation's largest size (both semi-spaces). V8's default lets it grow to 128 MB
 * under the first burst of allocation (start-up is one) and keeps it while the process is quiet.
 * Measured with the gateway benchmark (16 concurrent `tools/call` to an HTTP upstream): 16 MB costs
 * 0.1 to 0.4 ms more garbage collection per call than the default and halves the peak resident
 * memory; 2 MB (V8's initial size, never grown) costs about 2 ms more, because then most of a
 * call's objects outlive a scavenge.
 */
const YOUNG_GENERATION_MAX_BYTES = 16 * 1024 * 1024;

/**
 * How much the old generation may grow past its live size before a full collection, in percent.
 * V8 allows up to 300 under a high allocation rate, so a live heap of ~50 MB reached ~200 MB
 * before it was collected.
 */
const HEAP_GROWING_PERCENT = 50;

/** Whether the operator set V8 flag `name` (or its underscore spelling) in `startOptions`. */
function chose(startOptions: readonly string[], names: readonly string[]): boolean {
  return startOptions.some((option) => names.includes(option.split("=")[0]?.replaceAll("_", "-") ?? ""));
}

/** What the CLI tunes, given the options node was started with. */
export interface HeapTuning {
  /** Cap the young generation at {@link YOUNG_GENERATION_MAX_BYTES} (V8 has no flag for that once running). */
  readonly capYoungGeneration: boolean;
  /** The old generation's growth, as `--heap-growing-percent=N`, unless the operator chose it. */
  readonly flags: readonly string[];
}

/**
 * The tuning for a process started with `startOptions` (`execArgv` and `NODE_OPTIONS`): every part
 * the operator did not choose, or a related part, themselves.
 */
export function heapTuningFor(startOptions: readonly string[]): HeapTuning {
  return {
    capYoungGeneration: !chose(startOptions, [
      "--max-semi-space-size",
      "--min-semi-space-size",
      "--semi-space-growth-factor",
    ]),
    flags: chose(startOptions, ["--heap-growing-percent"])
      ? []
      : [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`],
  };
}

/** The options node was started with: `execArgv` and `NODE_OPTIONS`. */
const processStartOptions = (): string[] => [
  ...process.execArgv,
  ...(process.env.NODE_OPTIONS ?? "").split(/\s+/),
];

/**
 * Caps this process's young generation for a gateway (issue 10: idle and peak resident memory):
 * at most 16 MB, kept at its initial 2 MB while the modules load. V8 fixes
 * `--max-semi-space-size` when it starts, so the cap is kept at run time instead: after each
 * collection the young generation may grow (`--semi-space-growth-factor`, read as it grows,
 * doubles it) only while doubling stays within the cap. For a process that is only the gateway
 * (the CLI, before its other modules load): an application embedding the gateway keeps its own
 * heap settings. The observer lasts as long as the process.
 */
export function tuneHeapForGateway(): HeapTuning {
  const tuning = heapTuningFor(processStartOptions());
  if (tuning.capYoungGeneration) {
    let factor = 1;
    setFlagsFromString("--semi-space-growth-factor=1");
    // Called after collections once the event loop turns, so module loading runs at factor 1.
    new PerformanceObserver(() => {
      const young = getHeapSpaceStatistics().find((space) => space.space_name === "new_space");
      const next = young !== undefined && young.space_size * 2 <= YOUNG_GENERATION_MAX_BYTES ? 2 : 1;
      if (next === factor) return;
      factor = next;
      setFlagsFromString(`--semi-space-growth-factor=${next}`);
    }).observe({ entryTypes: ["gc"] });
  }
  return tuning;
}

/**
 * Bounds this process's old generation: a full collection once it grew by half its live size
 * ({@link HeapTuning.flags}). For the CLI, once the gateway started: while the heap fills from
 * nothing at start-up the bound would only add full collections (~70 ms of CPU).
 */
export function boundOldGeneration(): void {
  for (const flag of heapTuningFor(processStartOptions()).flags) setFlagsFromString(flag);
}
