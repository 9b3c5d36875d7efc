import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** What /proc/<pid>/stat says about one process. */
export interface ProcessStat {
  readonly pid: number;
  readonly ppid: number;
  /**
   * utime + stime + cutime + cstime in clock ticks: the process's own CPU time and that of its
   * children it has reaped, so a child that exited during a measurement is still counted.
   */
  readonly cpuTicks: number;
}

/** Clock ticks per second (`getconf CLK_TCK`; 100 on every Linux this runs on). */
export const CLOCK_TICKS: number = readClockTicks();

function readClockTicks(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** Reads /proc/<pid>/stat; undefined when the process is gone. */
export function readStat(pid: number): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state) of proc(5): ppid is 4, utime..cstime are 14..17.
  const at = (field: number): number => Number(fields[field - 3]);
  return { pid, ppid: at(4), cpuTicks: at(14) + at(15) + at(16) + at(17) };
}

/** Every process on the machine, by pid. */
export function readProcessTable(): Map<number, ProcessStat> {
  const table = new Map<number, ProcessStat>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat !== undefined) table.set(pid, stat);
  }
  return table;
}

/** `roots` and all their descendants (by parent pid) that are alive in `table`. */
export function processTree(roots: readonly number[], table: Map<number, ProcessStat>): number[] {
  const children = new Map<number, number[]>();
  for (const stat of table.values()) {
    const siblings = children.get(stat.ppid);
    if (siblings === undefined) children.set(stat.ppid, [stat.pid]);
    else siblings.push(stat.pid);
  }
  const tree: number[] = [];
  const queue = roots.filter((pid) => table.has(pid));
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** VmRSS and VmHWM of a process in KiB (0 when it is gone). */
export function readMemoryKb(pid: number): { rssKb: number; hwmKb: number } {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return { rssKb: 0, hwmKb: 0 };
  }
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  return { rssKb: field("VmRSS"), hwmKb: field("VmHWM") };
}
