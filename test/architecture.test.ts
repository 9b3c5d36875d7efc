import { readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { importsOf, ROOT, sourceFiles, workspacePackages } from "./workspace.js";

const packages = workspacePackages();
const BRIDGES = ["@contextforge/translate", "@contextforge/wrapper", "@contextforge/reverse-proxy"];

/**
 * gateway-core's layering (ARCHITECTURE.md section 3): for a file of the role on the left,
 * imports resolving into these folders or file kinds are forbidden.
 */
const GATEWAY_CORE_RULES: { role: string; matches: (file: string) => boolean; forbidden: RegExp[] }[] = [
  {
    role: "edge (routes, mcp/downstream)",
    matches: (f) => /-routes\.ts$/.test(f) || f.includes("/mcp/downstream/"),
    forbidden: [/-repository(\.js)?$/, /\/db\//],
  },
  {
    role: "logic (services, auth, federation, plugins)",
    matches: (f) =>
      /-service\.ts$/.test(f) || (/\/src\/(auth|federation|plugins)\//.test(f) && !/-routes\.ts$/.test(f)),
    forbidden: [/^hono(\/|$)/, /-routes(\.js)?$/, /\/http\//],
  },
  {
    role: "data (repositories)",
    matches: (f) => /-repository\.ts$/.test(f),
    forbidden: [/-service(\.js)?$/, /-routes(\.js)?$/],
  },
  {
    role: "I/O (db, cache, mcp/upstream, adapters)",
    matches: (f) => /\/src\/(db|cache|mcp\/upstream|adapters)\//.test(f),
    forbidden: [/-service(\.js)?$/, /-routes(\.js)?$/, /-repository(\.js)?$/, /\/http\//, /^hono(\/|$)/],
  },
];

function resolveRelative(file: string, specifier: string): string {
  return specifier.startsWith(".") ? normalize(join(dirname(file), specifier)) : specifier;
}

describe("architecture rules", () => {
  it("finds the workspace packages it checks", () => {
    expect(packages.map((p) => p.manifest.name)).toEqual(
      expect.arrayContaining(["@contextforge/gateway-core", ...BRIDGES, "@contextforge/mcp-transport"]),
    );
  });

  it("keeps the bridge CLIs independent of gateway-core", () => {
    for (const pkg of packages.filter((p) => BRIDGES.includes(p.manifest.name))) {
      const deps = {
        ...pkg.manifest.dependencies,
        ...pkg.manifest.devDependencies,
        ...pkg.manifest.peerDependencies,
      };
      expect(Object.keys(deps), pkg.manifest.name).not.toContain("@contextforge/gateway-core");
      for (const file of sourceFiles(join(pkg.dir, "src"))) {
        expect(importsOf(file), file).not.toContainEqual(
          expect.stringMatching(/^@contextforge\/gateway-core/),
        );
      }
    }
  });

  it("crosses package boundaries only through published entry points", () => {
    const names = new Set(packages.map((p) => p.manifest.name));
    for (const pkg of packages) {
      const pkgDir = relative(ROOT, pkg.dir);
      for (const file of [...sourceFiles(join(pkg.dir, "src")), ...sourceFiles(join(pkg.dir, "test"))]) {
        for (const specifier of importsOf(file)) {
          const resolved = resolveRelative(file, specifier);
          if (specifier.startsWith(".")) {
            expect(
              resolved.startsWith(`${pkgDir}/`),
              `${file} imports ${specifier} outside its package`,
            ).toBe(true);
          }
          const scoped = /^(@contextforge\/[^/]+)\/(.+)$/.exec(specifier);
          if (scoped?.[1] && names.has(scoped[1])) {
            expect(scoped[2], `${file} deep-imports ${specifier}`).toMatch(/^package\.json$/);
          }
        }
      }
    }
  });

  it("names the public surface: no `export *` in a package entry", () => {
    for (const pkg of packages) {
      const index = join(pkg.dir, "src", "index.ts");
      const text = readFileSync(index, "utf8");
      expect(text, relative(ROOT, index)).not.toMatch(/export\s+\*/);
    }
  });

  it("keeps gateway-core's layers: edges, logic, data and I/O import only downwards", () => {
    const core = join(ROOT, "packages", "gateway-core", "src");
    const violations: string[] = [];
    for (const file of sourceFiles(core)) {
      for (const rule of GATEWAY_CORE_RULES.filter((r) => r.matches(file))) {
        for (const specifier of importsOf(file)) {
          const resolved = resolveRelative(file, specifier);
          if (rule.forbidden.some((pattern) => pattern.test(resolved))) {
            violations.push(`${file} (${rule.role}) imports ${specifier}`);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
