import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { provideDevelopmentSecrets } from "./dev-secrets.js";
import { loadSettings, SettingsError } from "./load-settings.js";

let cwd: string;
let file: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), "cf-dev-secrets-"));
  file = join(cwd, ".contextforge", "secrets.json");
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe("provideDevelopmentSecrets", () => {
  it("generates strong secrets once into .contextforge/secrets.json, readable by the owner only", () => {
    const first = provideDevelopmentSecrets({ env: {}, cwd });
    expect(first.generated).toEqual(["JWT_SECRET_KEY", "AUTH_ENCRYPTION_SECRET"]);
    expect(first.file).toBe(file);
    expect(first.notice).toBe(
      `generated development secrets JWT_SECRET_KEY, AUTH_ENCRYPTION_SECRET into ${file} ` +
        "(set them in the environment for production)",
    );
    const jwt = first.env.JWT_SECRET_KEY ?? "";
    expect(jwt).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(first.env.AUTH_ENCRYPTION_SECRET).not.toBe(jwt);
    expect(first.notice).not.toContain(jwt);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      JWT_SECRET_KEY: jwt,
      AUTH_ENCRYPTION_SECRET: first.env.AUTH_ENCRYPTION_SECRET,
    });
    // Development settings load with them; so would production's length rule.
    expect(loadSettings(first.env).JWT_SECRET_KEY).toBe(jwt);
  });

  it("reuses the stored secrets on the next start and says so", () => {
    const first = provideDevelopmentSecrets({ env: {}, cwd });
    const second = provideDevelopmentSecrets({ env: { ENVIRONMENT: "test" }, cwd });
    expect(second.generated).toEqual([]);
    expect(second.reused).toEqual(["JWT_SECRET_KEY", "AUTH_ENCRYPTION_SECRET"]);
    expect(second.env.JWT_SECRET_KEY).toBe(first.env.JWT_SECRET_KEY);
    expect(second.notice).toMatch(/^using development secrets JWT_SECRET_KEY, AUTH_ENCRYPTION_SECRET from /);
  });

  it("fills in only the secret that is unset, keeping the file's others", () => {
    const first = provideDevelopmentSecrets({ env: { AUTH_ENCRYPTION_SECRET: "from-env" }, cwd });
    expect(first.generated).toEqual(["JWT_SECRET_KEY"]);
    expect(first.env.AUTH_ENCRYPTION_SECRET).toBe("from-env");
    const second = provideDevelopmentSecrets({ env: { JWT_SECRET_KEY: "from-env" }, cwd });
    expect(second.generated).toEqual(["AUTH_ENCRYPTION_SECRET"]);
    const stored = JSON.parse(readFileSync(file, "utf8"));
    expect(stored.JWT_SECRET_KEY).toBe(first.env.JWT_SECRET_KEY);
    expect(stored.AUTH_ENCRYPTION_SECRET).toBe(second.env.AUTH_ENCRYPTION_SECRET);
  });

  it("leaves the environment alone when the secrets are set", () => {
    const result = provideDevelopmentSecrets({
      env: { JWT_SECRET_KEY: "a", AUTH_ENCRYPTION_SECRET: "b" },
      cwd,
    });
    expect(result).toMatchObject({ generated: [], reused: [], notice: undefined });
    expect(() => statSync(file)).toThrow();
  });

  it("never generates secrets in production", () => {
    const result = provideDevelopmentSecrets({ env: { ENVIRONMENT: "production" }, cwd });
    expect(result.env.JWT_SECRET_KEY).toBeUndefined();
    expect(result.notice).toBeUndefined();
    expect(() => statSync(file)).toThrow();
    expect(() => loadSettings(result.env)).toThrow(/JWT_SECRET_KEY: required in production/);
  });

  it("refuses a damaged secrets file instead of replacing it", () => {
    mkdirSync(join(cwd, ".contextforge"));
    writeFileSync(file, "{ not json");
    expect(() => provideDevelopmentSecrets({ env: {}, cwd })).toThrow(SettingsError);
    expect(() => provideDevelopmentSecrets({ env: {}, cwd })).toThrow(/delete it to generate new ones/);
    expect(readFileSync(file, "utf8")).toBe("{ not json");
  });
});
