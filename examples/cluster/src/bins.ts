import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

function binOf(packageName: string, bin: string): string {
  const manifestPath = require.resolve(`${packageName}/package.json`);
  const manifest = require(manifestPath) as { bin?: Record<string, string> };
  const relative = manifest.bin?.[bin];
  if (relative === undefined) throw new Error(`${packageName} has no bin named ${bin}`);
  return join(dirname(manifestPath), relative);
}

/** The built `mcpgateway` command (`packages/gateway-core/dist/cli.js`), run with `process.execPath`. */
export function gatewayBin(): string {
  return binOf("@contextforge/gateway-core", "mcpgateway");
}

/** The built `mcp-sample-everything` command of `@contextforge/server-everything`. */
export function sampleServerBin(): string {
  return binOf("@contextforge/server-everything", "mcp-sample-everything");
}
