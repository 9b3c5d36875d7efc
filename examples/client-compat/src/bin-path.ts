import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface Manifest {
  readonly version: string;
  readonly bin?: string | Record<string, string>;
}

// Read from this package's own node_modules: not every client exports its package.json.
const NODE_MODULES = fileURLToPath(new URL("../node_modules/", import.meta.url));

function manifestOf(name: string): { dir: string; manifest: Manifest } {
  const path = join(NODE_MODULES, name, "package.json");
  return { dir: dirname(path), manifest: JSON.parse(readFileSync(path, "utf8")) as Manifest };
}

/**
 * The JavaScript file behind command `bin` of the installed package `name`, what `npx <bin>`
 * runs. Spawn it with `process.execPath`, so no shell shim sits between the test and the client.
 */
export function binPath(name: string, bin: string): string {
  const { dir, manifest } = manifestOf(name);
  const relative = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[bin];
  if (relative === undefined) throw new Error(`${name} has no bin named ${bin}`);
  return join(dir, relative);
}

/** The version of the installed package `name` (what the compatibility table must name). */
export function installedVersion(name: string): string {
  return manifestOf(name).manifest.version;
}
