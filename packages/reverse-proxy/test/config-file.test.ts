import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGateway } from "./support/fake-gateway.js";
import { CLEAN_ENV, CLI, tinyServerCommand } from "./support/proxy-cli.js";

const marker = `cf-rp-config-${randomUUID()}`;
const dir = mkdtempSync(join(tmpdir(), "cf-rp-config-"));
let gateway: FakeGateway;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Starts the bin, waits for its registration, and returns what the gateway saw. */
async function registration(args: string[], env: Record<string, string> = {}) {
  const index = gateway.connections.length;
  const p = await startProcess(process.execPath, [CLI, ...args], { env: { ...CLEAN_ENV, ...env } });
  const frame = await gateway.register(index);
  return { p, index, frame, authorization: gateway.connections[index]?.authorization };
}

beforeEach(async () => {
  gateway = await FakeGateway.start();
});
afterEach(async () => {
  await stopAllProcesses();
  await gateway.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mcpreverseproxy --config", () => {
  it("takes every setting from a YAML file, kebab-case keys and env included", async () => {
    const config = file(
      "proxy.yaml",
      [
        `local-stdio: "${tinyServerCommand(marker)}"`,
        `gateway: ${gateway.url}`,
        "token: yaml-token",
        "name: from-yaml",
        "description: published from a YAML file",
        "keepalive: 0.1",
        "max-retries: 2",
        "env:",
        "  CF_RP_FROM_CONFIG: yaml",
        "  CF_RP_NUMBER: 8080",
      ].join("\n"),
    );
    const { index, frame, authorization } = await registration(["--config", config]);
    expect(frame).toEqual({ type: "register", name: "from-yaml", description: "published from a YAML file" });
    expect(authorization).toBe("Bearer yaml-token");
    await gateway.until(() => ((gateway.connections[index]?.pings ?? 0) >= 2 ? true : undefined), 5_000);
    await gateway.openSession(index, "s1");
    expect(await gateway.callText(index, "s1", 1, "env", { name: "CF_RP_FROM_CONFIG" })).toBe("yaml");
    expect(await gateway.callText(index, "s1", 2, "env", { name: "CF_RP_NUMBER" })).toBe("8080");
  });

  it("reads a JSON file with camelCase keys, also when named by REVERSE_PROXY_CONFIG", async () => {
    const config = file(
      "proxy.json",
      JSON.stringify({ localStdio: tinyServerCommand(marker), gateway: gateway.url, name: "from-json" }),
    );
    expect((await registration(["--config", config])).frame.name).toBe("from-json");
    expect((await registration([], { REVERSE_PROXY_CONFIG: config })).frame.name).toBe("from-json");
  });

  it("ranks flags over environment variables over the file over defaults", async () => {
    const config = file(
      "ranked.yaml",
      [
        `localStdio: "${tinyServerCommand(marker)}"`,
        // Nothing listens there: the gateway must come from the flag.
        "gateway: http://127.0.0.1:9",
        "token: file-token",
        "name: file-name",
        "env:",
        "  CF_RP_A: file",
        "  CF_RP_B: file",
      ].join("\n"),
    );
    const { index, frame, authorization } = await registration(
      ["--config", config, "--gateway", gateway.url, "--name", "flag-name", "--env", "CF_RP_B=flag"],
      { REVERSE_PROXY_TOKEN: "env-token", REVERSE_PROXY_NAME: "env-name" },
    );
    expect(frame.name).toBe("flag-name");
    expect(authorization).toBe("Bearer env-token");
    await gateway.openSession(index, "s1");
    // `env` merges per variable: --env wins where both set one.
    expect(await gateway.callText(index, "s1", 1, "env", { name: "CF_RP_A" })).toBe("file");
    expect(await gateway.callText(index, "s1", 2, "env", { name: "CF_RP_B" })).toBe("flag");

    // Without the flag and the variable, the file's name and token apply.
    const second = await registration(["--config", config, "--gateway", gateway.url]);
    expect(second.frame.name).toBe("file-name");
    expect(second.authorization).toBe("Bearer file-token");
  });

  it("exits 2 with a usage error naming the key of an unknown setting or a bad value", async () => {
    const cases: [string, string, string][] = [
      ["unknown.yaml", "gateway: http://gw\nretries: 3\n", 'unknown key "retries"'],
      ["bad-number.yaml", "max-retries: three\n", "max-retries: expected a whole number >= 0"],
      ["bad-url.json", '{"gateway": "gw.example.com"}', "gateway: expected an absolute URL"],
      ["bad-env.yaml", "env: [A=1]\n", "env: expected a mapping of variable names to values"],
      ["syntax.json", '{"gateway": ', "is not valid JSON"],
    ];
    for (const [name, text, message] of cases) {
      const path = file(name, text);
      const p = await startProcess(process.execPath, [CLI, "--config", path, "--local-stdio", "cat"], {
        env: CLEAN_ENV,
      });
      expect(await p.exited(), name).toBe(2);
      expect(p.output().stderr, name).toContain(`error: config file ${path}: ${message}`);
      expect(p.output().stderr, name).toContain("Usage: mcpreverseproxy");
    }
    const missing = await startProcess(process.execPath, [CLI, "--config", join(dir, "nope.yaml")], {
      env: CLEAN_ENV,
    });
    expect(await missing.exited()).toBe(2);
    expect(missing.output().stderr).toContain("cannot be read (ENOENT)");
  });

  it("still requires the local server and the gateway when the file leaves them out", async () => {
    const p = await startProcess(process.execPath, [CLI, "--config", file("partial.yaml", "name: x\n")], {
      env: CLEAN_ENV,
    });
    expect(await p.exited()).toBe(2);
    expect(p.output().stderr).toContain("localStdio in --config");
  });
});
