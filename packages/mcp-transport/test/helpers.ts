import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/client";
import { type StdioLease, StdioLeaseTransport, type StdioServerSpec } from "../src/index.js";

export const MINI_SERVER: string = fileURLToPath(new URL("./fixtures/mini-mcp-server.mjs", import.meta.url));

/** A unique argument passed to every child of a test, so the OS can be searched for leftovers. */
export function newMarker(): string {
  return `cf-test-marker-${randomUUID()}`;
}

/** A spec that runs the mini MCP server; `flags` go before the marker. */
export function miniServer(
  serverId: string,
  marker: string,
  flags: readonly string[] = [],
  extra: Partial<StdioServerSpec> = {},
): StdioServerSpec {
  return { serverId, command: process.execPath, args: [MINI_SERVER, ...flags, marker], ...extra };
}

/** Pids of live processes whose command line contains `marker` (scans /proc; zombies have none). */
export function osProcessesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes(marker))
        pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The fields of /proc/<pid>/stat after the command name, or undefined once the process is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** When `pid` started (clock ticks since boot), to tell it from a later process that reuses the pid. */
export function startTimeOf(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/**
 * True while `pid` runs; a zombie (killed, waiting to be reaped by init) counts as dead, and so does
 * a different process that got the same pid later (`startTime` from {@link startTimeOf} tells them apart).
 */
export function isAlive(pid: number, startTime?: string): boolean {
  const fields = statFields(pid);
  if (!fields || fields[0] === "Z") return false;
  return startTime === undefined || fields[19] === startTime;
}

/** An SDK client connected over the lease. */
export async function connectClient(lease: StdioLease): Promise<Client> {
  const client = new Client({ name: "mcp-transport-test", version: "1.0.0" });
  await client.connect(new StdioLeaseTransport(lease));
  return client;
}

/** The text of the first content block of a tool result. */
export function firstText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content;
  return content?.[0]?.text ?? "";
}
