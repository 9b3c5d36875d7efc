import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

afterEach(stopAllProcesses);

// Every CLI run gets a scratch working directory: a start writes ./mcp.db and .contextforge/.
const SCRATCH = mkdtempSync(join(tmpdir(), "mcpgateway-cli-"));

/** Settings that must not leak in from the test runner's own environment. */
const CLEAN_ENV = { ENVIRONMENT: "", JWT_SECRET_KEY: "", AUTH_ENCRYPTION_SECRET: "", PORT: "", HOST: "" };

describe("mcpgateway CLI", () => {
  it("serves /health on the port from the environment and exits 0 on SIGTERM", async () => {
    const port = await getFreePort();
    const gateway = await startProcess(process.execPath, [CLI], {
      cwd: SCRATCH,
      env: { PORT: String(port), HOST: "127.0.0.1", LOG_FORMAT: "json" },
      readyPattern: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    });
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await response.json()).toEqual({ status: "healthy" });
    expect(await gateway.stop()).toBe(0);
  });

  it("lets --port override PORT", async () => {
    const port = await getFreePort();
    const gateway = await startProcess(process.execPath, [CLI, "--port", String(port)], {
      cwd: SCRATCH,
      env: { PORT: "1" },
      readyPattern: /listening on/,
    });
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    expect(await gateway.stop()).toBe(0);
  });

  it("refuses invalid settings with exit code 2 and names the variable", async () => {
    const cli = await startProcess(process.execPath, [CLI], { cwd: SCRATCH, env: { PORT: "not-a-port" } });
    expect(await cli.exited()).toBe(2);
    expect(cli.output().stderr).toMatch(/PORT: must be a number/);
  });

  it("says clearly when the port is already in use", async () => {
    const port = await getFreePort();
    await startProcess(process.execPath, [CLI, "--port", String(port)], {
      cwd: SCRATCH,
      readyPattern: /listening on/,
    });
    const second = await startProcess(process.execPath, [CLI, "--port", String(port)], { cwd: SCRATCH });
    expect(await second.exited()).toBe(1);
    expect(second.output().stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });

  it("prints real --help and --version", async () => {
    const help = await startProcess(process.execPath, [CLI, "--help"], { cwd: SCRATCH });
    expect(await help.exited()).toBe(0);
    expect(help.output().stdout).toContain("Usage: mcpgateway");
    expect(help.output().stdout).toContain("--port <port>");
    const version = await startProcess(process.execPath, [CLI, "--version"], { cwd: SCRATCH });
    expect(await version.exited()).toBe(0);
    expect(version.output().stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  describe("configuration", () => {
    let cwd: string;
    beforeEach(() => {
      cwd = mkdtempSync(join(tmpdir(), "cf-cli-config-"));
    });
    afterEach(() => rmSync(cwd, { recursive: true, force: true }));

    it("prints the JSON Schema of the settings with --config-schema, touching nothing", async () => {
      const cli = await startProcess(process.execPath, [CLI, "--config-schema"], { cwd, env: CLEAN_ENV });
      expect(await cli.exited()).toBe(0);
      const schema = JSON.parse(cli.output().stdout);
      expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(schema.properties.PORT).toMatchObject({ type: "integer", default: 4444, maximum: 65535 });
      expect(schema.properties.CACHE_TYPE.enum).toEqual(["memory", "redis", "database", "none"]);
      expect(schema.properties.JWT_SECRET_KEY.description).toContain("32 characters");
      expect(existsSync(join(cwd, "mcp.db"))).toBe(false);
      expect(existsSync(join(cwd, ".contextforge"))).toBe(false);
    });

    it("says a valid .env file is valid with --validate-config FILE", async () => {
      writeFileSync(
        join(cwd, "good.env"),
        "PORT=8080\nCACHE_TYPE=redis\nALLOWED_ORIGINS=https://a.example\n",
      );
      const cli = await startProcess(process.execPath, [CLI, "--validate-config", "good.env"], {
        cwd,
        env: CLEAN_ENV,
      });
      expect(await cli.exited()).toBe(0);
      expect(cli.output().stdout).toBe("configuration is valid\n");
      expect(existsSync(join(cwd, "mcp.db"))).toBe(false);
    });

    it("lists the problems of a .env file one per line, secrets masked, and exits 2", async () => {
      writeFileSync(
        join(cwd, "prod.env"),
        "ENVIRONMENT=production\nJWT_SECRET_KEY=hunter2\nGATEWAY_TOOL_NAME_SEPARATOR=/\nPORT=x\n",
      );
      const cli = await startProcess(process.execPath, [CLI, "--validate-config", "prod.env"], { cwd });
      expect(await cli.exited()).toBe(2);
      const lines = cli.output().stderr.trim().split("\n");
      expect(lines).toEqual([
        'PORT: must be a number (got "x")',
        'GATEWAY_TOOL_NAME_SEPARATOR: must be one of -, --, _, . (got "/")',
      ]);
      writeFileSync(join(cwd, "prod.env"), "ENVIRONMENT=production\nJWT_SECRET_KEY=hunter2\n");
      const again = await startProcess(process.execPath, [CLI, "--validate-config", "prod.env"], { cwd });
      expect(await again.exited()).toBe(2);
      expect(again.output().stderr).toMatch(/^JWT_SECRET_KEY: too weak for production: 7 characters/);
      expect(again.output().stderr).toMatch(/^AUTH_ENCRYPTION_SECRET: required in production/m);
      expect(again.output().stderr).not.toContain("hunter2");
    });

    it("validates the environment over ./.env without a file, the environment winning", async () => {
      writeFileSync(join(cwd, ".env"), "LOG_FORMAT=xml\nCACHE_TYPE=memcached\n");
      const cli = await startProcess(process.execPath, [CLI, "--validate-config"], {
        cwd,
        env: { ...CLEAN_ENV, LOG_FORMAT: "text" },
      });
      expect(await cli.exited()).toBe(2);
      expect(cli.output().stderr).toBe(
        'CACHE_TYPE: must be one of memory, redis, database, none (got "memcached")\n',
      );
    });

    it("generates development secrets on the first start and reuses them on the next", async () => {
      const env = { ...CLEAN_ENV, PORT: String(await getFreePort()), LOG_FORMAT: "json" };
      const first = await startProcess(process.execPath, [CLI], { cwd, env, readyPattern: /listening on/ });
      expect(first.output().stderr + first.output().stdout).toContain(
        `generated development secrets JWT_SECRET_KEY, AUTH_ENCRYPTION_SECRET into ${join(cwd, ".contextforge/secrets.json")}`,
      );
      expect(await first.stop()).toBe(0);
      const stored = JSON.parse(readFileSync(join(cwd, ".contextforge/secrets.json"), "utf8"));
      expect(first.output().stdout + first.output().stderr).not.toContain(stored.JWT_SECRET_KEY);

      const second = await startProcess(process.execPath, [CLI], { cwd, env, readyPattern: /listening on/ });
      expect(second.output().stderr + second.output().stdout).toContain(
        "using development secrets JWT_SECRET_KEY, AUTH_ENCRYPTION_SECRET from",
      );
      expect(await second.stop()).toBe(0);
    });

    it("writes no development secrets when the configuration is invalid", async () => {
      const cli = await startProcess(process.execPath, [CLI], {
        cwd,
        env: { ...CLEAN_ENV, CACHE_TYPE: "memcached" },
      });
      expect(await cli.exited()).toBe(2);
      expect(cli.output().stderr).toContain("CACHE_TYPE: must be one of memory, redis, database, none");
      expect(existsSync(join(cwd, ".contextforge"))).toBe(false);
    });

    it("refuses a production start without secrets, naming each variable", async () => {
      const cli = await startProcess(process.execPath, [CLI], {
        cwd,
        env: { ...CLEAN_ENV, ENVIRONMENT: "production" },
      });
      expect(await cli.exited()).toBe(2);
      const { stderr } = cli.output();
      for (const name of [
        "JWT_SECRET_KEY",
        "AUTH_ENCRYPTION_SECRET",
        "BASIC_AUTH_PASSWORD",
        "PLATFORM_ADMIN_PASSWORD",
      ]) {
        expect(stderr).toMatch(new RegExp(`^  ${name}: required in production`, "m"));
      }
      expect(existsSync(join(cwd, ".contextforge"))).toBe(false);
      expect(existsSync(join(cwd, "mcp.db"))).toBe(false);
    });
  });
});

describe("mcpgateway token", () => {
  it("mints a token the running gateway accepts (development secrets shared through .contextforge/)", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "cf-token-"));
    const port = await getFreePort();
    const env = { PORT: String(port), JWT_SECRET_KEY: "", AUTH_ENCRYPTION_SECRET: "" };
    await startProcess(process.execPath, [CLI], { cwd, env, readyPattern: /listening on/ });
    const minted = await startProcess(
      process.execPath,
      [CLI, "token", "--username", "admin@example.com", "--exp", "5"],
      {
        cwd,
        env,
      },
    );
    expect(await minted.exited()).toBe(0);
    const token = minted.output().stdout.trim();
    expect(token.split(".")).toHaveLength(3);
    const ok = await fetch(`http://127.0.0.1:${port}/tools`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([]);
    const denied = await fetch(`http://127.0.0.1:${port}/tools`);
    expect(denied.status).toBe(401);
  });

  it("requires --username", async () => {
    const p = await startProcess(process.execPath, [CLI, "token"], { cwd: SCRATCH });
    expect(await p.exited()).toBe(1);
    expect(p.output().stderr).toContain("--username");
  });
});
