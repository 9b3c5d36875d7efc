import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export const ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

export interface WorkspacePackage {
  readonly dir: string;
  readonly manifest: {
    name: string;
    version: string;
    private?: boolean;
    type?: string;
    license?: string;
    bin?: Record<string, string>;
    exports?: Record<string, unknown>;
    files?: string[];
    engines?: Record<string, string>;
    sideEffects?: boolean;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
}

/** Every package of the workspace (packages/*, servers/*, examples/*). */
export function workspacePackages(): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const group of ["packages", "servers", "examples"]) {
    const groupDir = join(ROOT, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir)) {
      const dir = join(groupDir, name);
      const manifestPath = join(dir, "package.json");
      if (!existsSync(manifestPath)) continue;
      out.push({
        dir,
        manifest: JSON.parse(readFileSync(manifestPath, "utf8")) as WorkspacePackage["manifest"],
      });
    }
  }
  return out;
}

/** Every .ts file under `dir`, recursively, as paths relative to ROOT. */
export function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === "node_modules" || entry === "dist") continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith(".ts")) out.push(relative(ROOT, path));
  }
  return out;
}

/** The module specifiers a TypeScript file imports or re-exports (static and dynamic). */
export function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specifiers: string[] = [];
  const pattern =
    /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^import\s+["']([^"']+)["']/gm;
  for (const match of text.matchAll(pattern)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (specifier) specifiers.push(specifier);
  }
  return specifiers;
}
