import { execFileSync } from "node:child_process";
import { cpus, loadavg, release, totalmem } from "node:os";
import { REPO_ROOT } from "../systems/environment.js";

/** Where and on what a scenario ran. */
export interface EnvironmentInfo {
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly kernel: string;
  readonly commit: string;
  /** 1-minute load average when the scenario started and ended: others' work on a shared machine. */
  readonly loadAverage: readonly [number, number];
}

function gitCommit(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "packages", "servers"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    }).trim();
    return dirty === "" ? commit : `${commit} (+ uncommitted changes)`;
  } catch {
    return "unknown";
  }
}

/** Reads the machine's description; `startLoad` is the load average taken when the run began. */
export function environmentInfo(startLoad: number): EnvironmentInfo {
  const cpu = cpus();
  return {
    node: process.version,
    cpu: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    commit: gitCommit(),
    loadAverage: [startLoad, loadavg()[0] ?? 0],
  };
}

/** The 1-minute load average now. */
export function currentLoad(): number {
  return loadavg()[0] ?? 0;
}
