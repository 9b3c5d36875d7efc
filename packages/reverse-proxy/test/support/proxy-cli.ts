import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The built bin, run the way a user runs it. */
export const CLI: string = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/** The tiny stdio MCP server of these tests (tools `env`, `pid`, `hang`). */
export const TINY_SERVER: string = fileURLToPath(
  new URL("../fixtures/tiny-stdio-server.mjs", import.meta.url),
);

/** The parent's REVERSE_PROXY_* variables must not leak into the runs under test. */
export const CLEAN_ENV: Readonly<Record<string, undefined>> = Object.fromEntries(
  [
    "GATEWAY",
    "TOKEN",
    "LOCAL_STDIO",
    "NAME",
    "RECONNECT_DELAY",
    "MAX_RETRIES",
    "KEEPALIVE",
    "CONFIG",
    "LOG_LEVEL",
  ].map((name) => [`REVERSE_PROXY_${name}`, undefined]),
);

/** A `--local-stdio` command running the tiny server, tagged with `marker` to find its processes. */
export function tinyServerCommand(marker: string): string {
  return `'${process.execPath}' --disable-warning=${marker} '${TINY_SERVER}'`;
}

/** Live (not zombie) processes whose command line contains `text`. */
export function pidsWith(text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
        return readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text) && state !== "Z";
      } catch {
        return false;
      }
    })
    .map(Number);
}
