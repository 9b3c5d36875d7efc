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

/** The built `mcpwrapper` bin, run as a user runs it. */
export const CLI: string = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/** The sample server's built CLI. */
export const EVERYTHING: string = join(
  dirname(require.resolve("@contextforge/server-everything/package.json")),
  "dist/cli.js",
);

/** A unique, harmless node flag that marks the wrapper processes of one test file in /proc. */
export function newMarker(): string {
  return `cf-wrapper-${randomUUID()}`;
}

/** Pids of live processes carrying `--disable-warning=<marker>`. */
export function pidsWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (argv.includes(`--disable-warning=${marker}`) && !/^\d+ \(.*\) Z/.test(stat))
        pids.push(Number(entry));
    } catch {
      // The process went away while we looked.
    }
  }
  return pids;
}

/** The sample server over streamable HTTP on `port`, started as its bin. */
export async function startEverything(port: number): Promise<ManagedProcess> {
  return startProcess(process.execPath, [EVERYTHING, "--transport", "http", "--port", String(port)], {
    readyPattern: /listening on/,
  });
}

/** An SDK v2 client talking to `mcpwrapper <args>` over stdio, with the wrapper's stderr kept. */
export interface WrappedClient {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  /** What the wrapper wrote to stderr so far. */
  stderr(): string;
}

/** Spawns the wrapper through the SDK's `StdioClientTransport` and connects a client to it. */
export async function connectThroughWrapper(
  marker: string,
  args: readonly string[],
  options: { env?: Record<string, string>; client?: ClientOptions; name?: string } = {},
): Promise<WrappedClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [`--disable-warning=${marker}`, CLI, ...args],
    env: { PATH: process.env.PATH ?? "", ...options.env },
    stderr: "pipe",
  });
  let stderr = "";
  (transport.stderr as PassThrough | null)?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client(
    { name: options.name ?? "wrapper-test", version: "1.0.0" },
    options.client ?? { versionNegotiation: { mode: "legacy" } },
  );
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

/** The wrapper as a raw child process, for tests that write stdin lines themselves. */
export async function startRawWrapper(
  marker: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<ManagedProcess> {
  return startProcess(process.execPath, [`--disable-warning=${marker}`, CLI, ...args], { env });
}

/** Writes one JSON-RPC message (or a raw line) to the wrapper's stdin. */
export function sendLine(wrapper: ManagedProcess, message: unknown): void {
  wrapper.child.stdin?.write(`${typeof message === "string" ? message : JSON.stringify(message)}\n`);
}

/** Every line the wrapper wrote to stdout, parsed. Throws on a line that is not JSON. */
export function stdoutMessages(wrapper: ManagedProcess): Record<string, unknown>[] {
  return wrapper
    .output()
    .stdout.split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits until the wrapper wrote a message with this id to stdout, and returns it. */
export async function answerTo(
  wrapper: ManagedProcess,
  id: number | string,
): Promise<Record<string, unknown>> {
  await wrapper.waitForOutput(new RegExp(`"id":${JSON.stringify(id)}[,}]`));
  const answer = stdoutMessages(wrapper).find((message) => message.id === id && message.method === undefined);
  if (answer === undefined) throw new Error(`no answer to ${id} in ${wrapper.output().stdout}`);
  return answer;
}

/** A 2025 initialize request, as a stdio client sends it. */
export function initializeRequest(id: number | string, protocolVersion = "2025-06-18"): unknown {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw-test", version: "1.0.0" } },
  };
}

/** The text of the first content block of a tool result. */
export function firstText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content;
  const first = content?.[0];
  if (first?.type !== "text" || first.text === undefined)
    throw new Error(`no text in ${JSON.stringify(result)}`);
  return first.text;
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
