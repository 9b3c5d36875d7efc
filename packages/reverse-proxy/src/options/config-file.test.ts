import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "./config-file.js";

const dir = mkdtempSync(join(tmpdir(), "cf-rp-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("loadConfigFile", () => {
  it("reads YAML with kebab-case keys and converts values", () => {
    const config = loadConfigFile(
      file(
        "a.yaml",
        [
          'local-stdio: "node server.js"',
          "gateway: https://gw.example.com",
          "max-retries: 3",
          "keepalive: 10",
          "log-level: WARNING",
          "env:",
          "  PORT: 8080",
          "  DEBUG: true",
        ].join("\n"),
      ),
    );
    expect(config).toEqual({
      localStdio: "node server.js",
      gateway: new URL("https://gw.example.com"),
      maxRetries: 3,
      keepalive: 10,
      logLevel: "warn",
      env: { PORT: "8080", DEBUG: "true" },
    });
  });

  it("reads JSON with camelCase keys, by extension or by content", () => {
    const json = JSON.stringify({ localStdio: "cat", reconnectDelay: 0.5, name: "n" });
    expect(loadConfigFile(file("b.json", json))).toEqual({
      localStdio: "cat",
      reconnectDelay: 0.5,
      name: "n",
    });
    expect(loadConfigFile(file("b.conf", json)).reconnectDelay).toBe(0.5);
  });

  it("takes heartbeat as the alias of keepalive, and an empty file as no settings", () => {
    expect(loadConfigFile(file("c.yml", "heartbeat: 5\n"))).toEqual({ keepalive: 5 });
    expect(loadConfigFile(file("empty.yaml", ""))).toEqual({});
  });

  it("names the key of an unknown setting or a bad value, as written in the file", () => {
    expect(() => loadConfigFile(file("d.yaml", "gateway: http://gw\nbogus: 1\n"))).toThrow(
      /d\.yaml: unknown key "bogus"/,
    );
    expect(() => loadConfigFile(file("e.yaml", "max-retries: -2\n"))).toThrow(
      /max-retries: expected a whole number/,
    );
    expect(() => loadConfigFile(file("f.yaml", "gateway: ftp://gw\n"))).toThrow(/gateway: expected an http/);
    expect(() => loadConfigFile(file("g.yaml", "env:\n  A: [1]\n"))).toThrow(/env\.A: expected a string/);
    expect(() => loadConfigFile(file("h.yaml", "keepalive: 1\nheartbeat: 2\n"))).toThrow(
      /"heartbeat" and "keepalive" set the same option/,
    );
    expect(() => loadConfigFile(file("i.yaml", "localStdio: a\nlocal-stdio: b\n"))).toThrow(/same option/);
  });

  it("reports unreadable files and syntax errors", () => {
    expect(() => loadConfigFile(join(dir, "missing.yaml"))).toThrow(
      /missing\.yaml: cannot be read \(ENOENT\)/,
    );
    expect(() => loadConfigFile(file("j.json", "{ nope"))).toThrow(/is not valid JSON/);
    expect(() => loadConfigFile(file("k.yaml", "a: [1\n"))).toThrow(/is not valid YAML/);
    expect(() => loadConfigFile(file("l.yaml", "- 1\n- 2\n"))).toThrow(/expected a mapping/);
  });
});
