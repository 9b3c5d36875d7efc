import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

afterEach(stopAllProcesses);

async function run(...args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const p = await startProcess(process.execPath, [CLI, ...args]);
  const code = await p.exited();
  return { code, ...p.output() };
}

describe("mcpplugins CLI", () => {
  it("lists the built-in plugins as JSON", async () => {
    const { code, stdout } = await run("list", "--json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toContainEqual(
      expect.objectContaining({ kind: "deny_list", hooks: ["prompt_pre_fetch", "tool_pre_invoke"] }),
    );
  });

  it("accepts a valid configuration file and rejects a bad one with the field named", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcpplugins-"));
    const good = join(dir, "good.yaml");
    await writeFile(
      good,
      "plugins:\n  - name: deny\n    kind: deny_list\n    hooks: [tool_pre_invoke]\n    config:\n      words: [crap]\n",
    );
    expect(await run("validate", good)).toMatchObject({ code: 0, stdout: `${good}: 1 plugin(s) valid\n` });

    const bad = join(dir, "bad.yaml");
    await writeFile(
      bad,
      "plugins:\n  - name: deny\n    kind: deny_list\n    hooks: [tool_post_invoke]\n    config: {}\n",
    );
    const result = await run("validate", bad);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("deny: kind deny_list does not implement tool_post_invoke");
    expect(result.stderr).toContain("config.words");
  });

  it("reports a missing file and prints real help and version", async () => {
    expect((await run("validate", "/no/such/file.yaml")).stderr).toContain("ENOENT");
    expect((await run("--help")).stdout).toContain("Usage: mcpplugins");
    expect((await run("--version")).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
