import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ManagedProcess, startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpBin } from "./helpers.js";

/** The official suite's CLI, pinned as a devDependency (0.2.0-alpha.12). */
const CONFORMANCE = fileURLToPath(
  new URL("../node_modules/@modelcontextprotocol/conformance/dist/index.js", import.meta.url),
);

interface ScenarioResult {
  readonly name: string;
  readonly passed: number;
  readonly failed: number;
}

interface SuiteRun {
  readonly scenarios: ScenarioResult[];
  /** Scenarios the requirement set runs but does not score (extensions, pending ones). */
  readonly notScored: string[];
  readonly output: string;
}

let workDir: string;
let url: string;

beforeAll(async () => {
  // The suite may write a results/ folder into its working directory: keep it out of the repo.
  workDir = mkdtempSync(join(tmpdir(), "everything-conformance-"));
  ({ url } = await startHttpBin());
});

afterAll(async () => {
  await stopAllProcesses();
  rmSync(workDir, { recursive: true, force: true });
});

async function runSuite(extraArgs: readonly string[]): Promise<SuiteRun> {
  const run: ManagedProcess = await startProcess(
    process.execPath,
    [CONFORMANCE, "server", "--url", url, "-o", join(workDir, "results"), ...extraArgs],
    { cwd: workDir },
  );
  await run.exited();
  const { stdout, stderr } = run.output();
  const output = `${stdout}\n${stderr}`;
  const summary = output.slice(output.indexOf("=== SUMMARY ==="));
  const scenarios = [...summary.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed$/gmu)].map(
    ([, name = "", passed = "0", failed = "0"]) => ({ name, passed: Number(passed), failed: Number(failed) }),
  );
  const notScored = [...summary.matchAll(/^ {2}[✓✗] (\S+) \(/gmu)].map(([, name = ""]) => name);
  return { scenarios, notScored, output };
}

function failures(scenarios: readonly ScenarioResult[]): string[] {
  return scenarios.filter((scenario) => scenario.failed > 0).map((scenario) => scenario.name);
}

describe("the official MCP conformance suite", { timeout: 180_000 }, () => {
  it("passes every active scenario on the 2025-11-25 wire", async () => {
    const { scenarios, notScored, output } = await runSuite([]);
    expect(notScored).toEqual([]);
    expect(scenarios.length, output).toBeGreaterThanOrEqual(31);
    expect(failures(scenarios), output).toEqual([]);
    const checks = scenarios.reduce((sum, scenario) => sum + scenario.passed, 0);
    expect(checks).toBeGreaterThanOrEqual(73);
  });

  it("passes every scenario the 2025-11-25 requirement set lists, scored or not", async () => {
    const { scenarios, output } = await runSuite(["--requirements", "2025-11-25"]);
    expect(scenarios.length, output).toBeGreaterThanOrEqual(33);
    expect(failures(scenarios), output).toEqual([]);
  });

  it("passes every scored scenario of the 2026-07-28 requirement set", async () => {
    const { scenarios, notScored, output } = await runSuite(["--requirements", "2026-07-28"]);
    const scored = scenarios.filter((scenario) => !notScored.includes(scenario.name));
    expect(scored.length, output).toBeGreaterThanOrEqual(37);
    expect(failures(scored), output).toEqual([]);
    // Not scored, and the sample server does not offer it: the optional tasks extension (SEP-2663).
    const unscoredFailures = failures(scenarios.filter((scenario) => notScored.includes(scenario.name)));
    expect(
      unscoredFailures.every((name) => name.startsWith("tasks-")),
      output,
    ).toBe(true);
  });
});
