import { CLOCK_TICKS, processTree, readMemoryKb, readProcessTable } from "./process-table.js";

/** CPU and memory of a process tree over one measurement. */
export interface ResourceUsage {
  /** CPU time (user + system) of the tree, children included, during the measurement. */
  readonly cpuMs: number;
  /** The highest sampled sum of VmRSS over the tree. */
  readonly peakRssMb: number;
  /** The sum of VmRSS over the tree at the end. */
  readonly endRssMb: number;
  /** The sum of each live process's VmHWM at the end (an upper bound of the tree's peak). */
  readonly hwmMb: number;
  /** How many processes the tree had at the end. */
  readonly processes: number;
}

/** The tree's total CPU ticks (children that exited are in their parent's cutime/cstime). */
function cpuTicksOf(roots: readonly number[]): { ticks: number; tree: number[] } {
  const table = readProcessTable();
  const tree = processTree(roots, table);
  let ticks = 0;
  for (const pid of tree) ticks += table.get(pid)?.cpuTicks ?? 0;
  return { ticks, tree };
}

function rssMbOf(tree: readonly number[]): number {
  let kb = 0;
  for (const pid of tree) kb += readMemoryKb(pid).rssKb;
  return kb / 1024;
}

/** The tree's current RSS, for one-off readings (footprint). */
export function treeRssMb(roots: readonly number[]): { rssMb: number; processes: number } {
  const tree = processTree(roots, readProcessTable());
  return { rssMb: rssMbOf(tree), processes: tree.length };
}

/**
 * Measures a process tree (a system under test and every process it started): CPU time from
 * /proc/<pid>/stat, RSS sampled from /proc/<pid>/status every `intervalMs`. The tree is
 * re-walked every second, so children started during the run (a child per session) count.
 */
export class ResourceMonitor {
  readonly #roots: readonly number[];
  readonly #startTicks: number;
  readonly #timer: NodeJS.Timeout;
  #tree: number[];
  #samples = 0;
  #peakRssMb = 0;

  constructor(roots: readonly number[], intervalMs = 250) {
    this.#roots = roots;
    const { ticks, tree } = cpuTicksOf(roots);
    this.#startTicks = ticks;
    this.#tree = tree;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  /** Stops sampling and returns the usage since construction. */
  stop(): ResourceUsage {
    clearInterval(this.#timer);
    const { ticks, tree } = cpuTicksOf(this.#roots);
    this.#tree = tree;
    const endRssMb = rssMbOf(tree);
    let hwmKb = 0;
    for (const pid of tree) hwmKb += readMemoryKb(pid).hwmKb;
    return {
      cpuMs: ((ticks - this.#startTicks) * 1000) / CLOCK_TICKS,
      peakRssMb: Math.max(this.#peakRssMb, endRssMb),
      endRssMb,
      hwmMb: hwmKb / 1024,
      processes: tree.length,
    };
  }

  #sample(): void {
    this.#samples += 1;
    if (this.#samples % 4 === 0) this.#tree = processTree(this.#roots, readProcessTable());
    this.#peakRssMb = Math.max(this.#peakRssMb, rssMbOf(this.#tree));
  }
}
