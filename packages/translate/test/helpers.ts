import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { type ManagedProcess, startProcess } from "@contextforge/testing";
import { Client, type ClientOptions } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

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

/** The built `mcptranslate` bin, run as a user runs it. */
export const CLI: string = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

/** A tiny stdio MCP server whose tool `env` reports an environment variable and its pid. */
export const ENV_SERVER: string = fileURLToPath(new URL("./fixtures/env-server.mjs", import.meta.url));

/** argv of {@link ENV_SERVER}, carrying `marker`. */
export function envServerArgv(marker: string): string[] {
  return [process.execPath, `--disable-warning=${marker}`, ENV_SERVER];
}

/** What the `env` tool of {@link ENV_SERVER} answered. */
export function envReport(result: unknown): { value: string | null; pid: number } {
  return JSON.parse(firstText(result)) as { value: string | null; pid: number };
}

/** An SDK v2 client on `mcptranslate <args>` over stdio (as a stdio-only client runs it). */
export interface BridgedClient {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  /** What the bridge wrote to stderr so far. */
  stderr(): string;
}

/**
 * Spawns `mcptranslate <args>` (carrying `marker`) through the SDK's `StdioClientTransport` and
 * connects a client; `setUp` runs before connecting (to install request handlers).
 */
export async function bridgedClient(
  marker: string,
  args: readonly string[],
  options: { client?: ClientOptions; setUp?: (client: Client) => void } = {},
): Promise<BridgedClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [`--disable-warning=${marker}`, CLI, ...args],
    env: { PATH: process.env.PATH ?? "" },
    stderr: "pipe",
  });
  let stderr = "";
  (transport.stderr as PassThrough | null)?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client(
    { name: "bridged", version: "1.0.0" },
    options.client ?? { versionNegotiation: { mode: "legacy" } },
  );
  options.setUp?.(client);
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

/** `mcptranslate <args>` exposing a stdio server; resolves with the process and its first URL. */
export async function startExposed(
  marker: string,
  args: readonly string[],
): Promise<{ process: ManagedProcess; url: string }> {
  const ready = /on (?:SSE|streamable HTTP|WebSocket) ((?:http|ws):\/\/\S+)/;
  const exposed = await startProcess(process.execPath, [`--disable-warning=${marker}`, CLI, ...args], {
    readyPattern: ready,
  });
  const [, url] = (await exposed.waitForOutput(ready)) as unknown as [string, string];
  return { process: exposed, url: url.replace(/,$/, "") };
}
