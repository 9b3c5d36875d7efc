import { fileURLToPath } from "node:url";
import { type ManagedProcess, startProcess } from "@contextforge/testing";

/** The built bin: tests run what users run. */
export const CLI: string = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

/** Starts `mcp-sample-everything --transport http` on a free port and waits for its ready line. */
export async function startHttpBin(
  args: readonly string[] = [],
): Promise<{ url: string; server: ManagedProcess }> {
  const server = await startProcess(process.execPath, [CLI, "--transport", "http", "--port", "0", ...args], {
    readyPattern: /listening on (http:\S+)/,
  });
  const url = server.output().stderr.match(/listening on (http:\S+)/)?.[1];
  if (url === undefined) throw new Error("no URL in the ready line");
  return { url, server };
}
