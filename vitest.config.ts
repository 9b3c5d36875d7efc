import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

const GROUPS = ["packages", "servers", "examples"];

/** One vitest project per workspace package that has tests, named after the package. */
function workspaceProjects(): { test: { name: string; root: string; include: string[] } }[] {
  const projects = [];
  for (const group of GROUPS) {
    if (!existsSync(group)) continue;
    for (const entry of readdirSync(group, { withFileTypes: true })) {
      const root = join(group, entry.name);
      const manifest = join(root, "package.json");
      if (!entry.isDirectory() || !existsSync(manifest)) continue;
      const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name: string };
      projects.push({ test: { name, root, include: ["src/**/*.test.ts", "test/**/*.test.ts"] } });
    }
  }
  // Repository-wide checks (architecture rules, package manifests) live in ./test.
  projects.push({ test: { name: "repo", root: ".", include: ["test/**/*.test.ts"] } });
  return projects;
}

export default defineConfig({
  test: {
    projects: workspaceProjects(),
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
