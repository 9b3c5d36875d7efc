import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/client";

const require = createRequire(import.meta.url);

/** The sample server's built CLI. */
export const EVERYTHING: string = join(
  dirname(require.resolve("@contextforge/server-everything/package.json")),
  "dist/cli.js",
);

/** A unique, harmless node flag that marks the children of one test in /proc. */
export function newMarker(): string {
  return `cf-translate-${randomUUID()}`;
}

/** argv of the sample server over stdio, carrying `marker`. */
export function everythingArgv(marker: string): string[] {
  return [process.execPath, `--disable-warning=${marker}`, EVERYTHING, "--transport", "stdio"];
}

/** Pids of live processes with `--disable-warning=<marker>` as one argument (not inside another). */
export function pidsWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // A zombie has exited; only its parent's bookkeeping is left.
      if (argv.includes(`--disable-warning=${marker}`) && !/^\d+ \(.*\) Z/.test(stat))
        pids.push(Number(entry));
    } catch {
      // The process went away while we looked.
    }
  }
  return pids;
}

/** Retries `check` until it stops throwing or `timeoutMs` passes. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** An SDK v2 client speaking the 2025 sessionful wire. */
export function legacyClient(name: string): Client {
  return new Client({ name, version: "1.0.0" }, { versionNegotiation: { mode: "legacy" } });
}

/** The text of the first content block of a tool result. */
export function firstText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content;
  const first = content?.[0];
  if (first?.type !== "text" || first.text === undefined)
    throw new Error(`no text in ${JSON.stringify(result)}`);
  return first.text;
}
