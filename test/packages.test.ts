import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, workspacePackages } from "./workspace.js";

const published = workspacePackages().filter((p) => !p.manifest.private);
const packDir = mkdtempSync(join(tmpdir(), "cf-pack-"));
afterAll(() => rmSync(packDir, { recursive: true, force: true }));

function pack(dir: string): string {
  const out = execFileSync("pnpm", ["pack", "--pack-destination", packDir], { cwd: dir, encoding: "utf8" });
  const tarball = out.trim().split("\n").pop() ?? "";
  return tarball.startsWith("/") ? tarball : join(packDir, tarball);
}

describe.each(published.map((p) => [p.manifest.name, p] as const))("published package %s", (_name, pkg) => {
  const { manifest, dir } = pkg;

  it("has a complete manifest", () => {
    expect(manifest.name).toMatch(/^@contextforge\/[a-z0-9-]+$/);
    expect(manifest.type).toBe("module");
    expect(manifest.license).toBe("Apache-2.0");
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.engines?.node).toBe(">=22.13");
    expect(manifest.files).toContain("dist");
    const root = manifest.exports?.["."] as { types?: string; default?: string } | undefined;
    expect(root?.types).toMatch(/^\.\/dist\/.*\.d\.ts$/);
    expect(root?.default).toMatch(/^\.\/dist\/.*\.js$/);
    expect(existsSync(join(dir, "README.md")), "README.md").toBe(true);
    expect(existsSync(join(dir, "LICENSE")), "LICENSE").toBe(true);
  });

  it("has built entry points, and executable bins with a node shebang", () => {
    const root = manifest.exports?.["."] as { types: string; default: string };
    expect(existsSync(join(dir, root.default)), root.default).toBe(true);
    expect(existsSync(join(dir, root.types)), root.types).toBe(true);
    for (const [bin, path] of Object.entries(manifest.bin ?? {})) {
      expect(
        readFileSync(join(dir, path), "utf8").startsWith("#!/usr/bin/env node\n"),
        `${bin} shebang`,
      ).toBe(true);
    }
  });

  it("packs only dist, README, LICENSE and package.json, and passes publint", async () => {
    const tarball = pack(dir);
    const entries = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n");
    const unexpected = entries.filter(
      (entry) =>
        !/^package\/(dist\/.+|README\.md|LICENSE|package\.json)$/.test(entry) ||
        /\.test\.|tsbuildinfo/.test(entry),
    );
    expect(unexpected, `unexpected files in ${relative(ROOT, dir)} tarball`).toEqual([]);
    const packed = JSON.parse(
      execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }),
    ) as {
      dependencies?: Record<string, string>;
    };
    expect(JSON.stringify(packed.dependencies ?? {}), "workspace: protocol must be rewritten").not.toContain(
      "workspace:",
    );

    const buffer = readFileSync(tarball);
    const { messages, pkg: lintedManifest } = await publint({
      pack: { tarball: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) },
      level: "warning",
    });
    expect(messages.map((m) => formatMessage(m, lintedManifest) ?? m.code)).toEqual([]);
  });
});
