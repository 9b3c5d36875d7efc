import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadEnvFile, resolveEnvironment } from "./env-file.js";
import { SettingsError } from "./load-settings.js";

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "cf-env-file-"));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe("loadEnvFile", () => {
  it("parses KEY=value lines, comments, quotes and export", () => {
    const file = join(cwd, "prod.env");
    writeFileSync(file, '# settings\nPORT=8080\nAPP_NAME="My Gateway"\nexport LOG_LEVEL=debug\n');
    expect(loadEnvFile(file)).toEqual({ PORT: "8080", APP_NAME: "My Gateway", LOG_LEVEL: "debug" });
  });

  it("names the file when it cannot be read", () => {
    const file = join(cwd, "missing.env");
    expect(() => loadEnvFile(file)).toThrow(SettingsError);
    expect(() => loadEnvFile(file)).toThrow(`${file}: cannot read the file (ENOENT)`);
  });
});

describe("resolveEnvironment", () => {
  it("returns the environment as is when there is no .env", () => {
    expect(resolveEnvironment({ env: { PORT: "1234" }, cwd })).toEqual({ PORT: "1234" });
  });

  it("puts ./.env under the real environment: the environment wins, empty counts as unset", () => {
    writeFileSync(join(cwd, ".env"), "PORT=8080\nHOST=0.0.0.0\nLOG_LEVEL=debug\n");
    const env = resolveEnvironment({ env: { PORT: "9090", HOST: "", OTHER: "x" }, cwd });
    expect(env).toEqual({ PORT: "9090", HOST: "0.0.0.0", LOG_LEVEL: "debug", OTHER: "x" });
  });

  it("does not touch process.env", () => {
    writeFileSync(join(cwd, ".env"), "CF_ENV_FILE_TEST_ONLY=1\n");
    resolveEnvironment({ env: {}, cwd });
    expect(process.env.CF_ENV_FILE_TEST_ONLY).toBeUndefined();
  });
});
