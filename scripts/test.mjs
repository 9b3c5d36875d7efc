#!/usr/bin/env node
// The whole test suite, as CI runs it: build, typecheck, lint, then every vitest project.
// Ends with the plain line "N passed, M failed" counted from vitest's JSON report.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const report = join(root, "test-results", "vitest.json");
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };

function step(title, command, args) {
  process.stdout.write(`\n== ${title}: ${command} ${args.join(" ")}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) {
    process.stdout.write(`\n${title} failed (exit ${result.status ?? result.signal}); no tests were run.\n`);
    process.stdout.write("0 passed, 1 failed\n");
    process.exit(1);
  }
}

const extra = process.argv.slice(2);
step("build", "pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"]);
step("typecheck", "pnpm", ["exec", "turbo", "run", "typecheck", "--output-logs=errors-only"]);
step("typecheck (repository tests)", "pnpm", ["exec", "tsc", "-p", "tsconfig.json"]);
step("lint", "pnpm", ["exec", "biome", "check", "."]);

mkdirSync(join(root, "test-results"), { recursive: true });
rmSync(report, { force: true });
process.stdout.write("\n== tests: vitest run\n");
const vitest = spawnSync(
  "pnpm",
  ["exec", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...extra],
  { cwd: root, stdio: "inherit", env },
);

if (!existsSync(report)) {
  process.stdout.write(
    `\nvitest wrote no report (exit ${vitest.status ?? vitest.signal})\n0 passed, 1 failed\n`,
  );
  process.exit(1);
}
const {
  numPassedTests = 0,
  numFailedTests = 0,
  numPendingTests = 0,
  numTodoTests = 0,
} = JSON.parse(readFileSync(report, "utf8"));
const skipped = numPendingTests + numTodoTests;
const failed = numFailedTests + (vitest.status !== 0 && numFailedTests === 0 ? 1 : 0);
process.stdout.write(
  `\n${numPassedTests} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`,
);
process.exit(vitest.status === 0 && numPassedTests > 0 ? 0 : 1);
