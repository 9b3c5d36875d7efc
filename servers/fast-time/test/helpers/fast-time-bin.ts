import { fileURLToPath } from "node:url";
import { getFreePort, type ManagedProcess, startProcess } from "@contextforge/testing";

/** The built bin: these tests run what `npx @contextforge/server-fast-time` runs. */
export const BIN: string = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/** Starts `mcp-fast-time --transport http` on a free port and waits for its ready line. */
export async function startHttpBin(): Promise<{ process: ManagedProcess; url: string; port: number }> {
  const port = await getFreePort();
  const child = await startProcess(process.execPath, [BIN, "--transport", "http", "--port", String(port)], {
    readyPattern: /mcp-fast-time listening on (http:\/\/\S+)/,
  });
  return { process: child, url: `http://127.0.0.1:${port}/mcp`, port };
}
