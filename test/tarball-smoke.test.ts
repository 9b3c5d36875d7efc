import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./workspace.js";

/**
 * The bridge CLIs as a user gets them: each package packed with `pnpm pack` (which rewrites
 * `workspace:` versions), the tarballs installed with npm into a fresh project outside the
 * repository (third-party dependencies come from the npm registry), and the bins run from
 * `node_modules/.bin`, as `npx` would. This catches what the workspace hides: a file missing from
 * `files`, a dependency only hoisted in the monorepo, a `workspace:` range left in a manifest.
 */
const run = promisify(execFile);
const PACKAGES = ["mcp-transport", "translate", "wrapper", "reverse-proxy"];
const BINS = ["mcptranslate", "mcpwrapper", "mcpreverseproxy"];
const FIXTURE = join(ROOT, "test", "fixtures", "tiny-stdio-server.mjs");

const work = mkdtempSync(join(tmpdir(), "cf-tarball-smoke-"));
const packs = join(work, "packs");
const project = join(work, "project");
const bin = (name: string): string => join(project, "node_modules", ".bin", name);
const children = new Set<ChildProcess>();

/** Variables pnpm sets for the commands it runs, which npm would warn about or misread. */
const PNPM_RUN_VARIABLES =
  /^(pnpm_config_.*|npm_config_verify_deps_before_run|npm_config_user_agent|npm_command)$/;

/** This process's environment, for npm, without what pnpm set for its own runs. */
function npmEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !PNPM_RUN_VARIABLES.test(name)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

beforeAll(async () => {
  mkdirSync(packs);
  mkdirSync(project);
  const tarballs = await Promise.all(
    PACKAGES.map(async (name) => {
      const { stdout } = await run("pnpm", ["pack", "--pack-destination", packs], {
        cwd: join(ROOT, "packages", name),
      });
      return stdout.trim().split("\n").pop() ?? "";
    }),
  );
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "cf-tarball-smoke", private: true, type: "module" }),
  );
  await run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--ignore-scripts",
      "--no-update-notifier",
      "--loglevel=error",
      ...tarballs,
    ],
    { cwd: project, env: npmEnvironment(), timeout: 90_000 },
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
  rmSync(work, { recursive: true, force: true });
});

describe("the packed bridge CLIs, installed from their tarballs", () => {
  it("resolve @contextforge/mcp-transport to its tarball, once, not from the registry", () => {
    const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")) as {
      packages: Record<string, { resolved?: string }>;
    };
    const copies = Object.entries(lock.packages).filter(([path]) =>
      path.endsWith("node_modules/@contextforge/mcp-transport"),
    );
    expect(copies).toEqual([
      [
        "node_modules/@contextforge/mcp-transport",
        expect.objectContaining({ resolved: expect.stringMatching(/^file:/) }),
      ],
    ]);
  });

  it.each(BINS)("%s --help exits 0 and prints its usage", async (name) => {
    const { stdout } = await run(bin(name), ["--help"], { cwd: project });
    expect(stdout).toContain(`Usage: ${name} [options]`);
  });

  it("mcptranslate serves a stdio server over streamable HTTP: initialize, then tools/list", async () => {
    const port = await freePort();
    const child = spawn(
      bin("mcptranslate"),
      ["--stdio", `node '${FIXTURE}'`, "--expose-streamable-http", "--port", String(port)],
      { cwd: project, stdio: ["ignore", "pipe", "pipe"] },
    );
    children.add(child);
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`mcptranslate did not start:\n${stderr}`)), 15_000);
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
        if (stderr.includes(`http://127.0.0.1:${port}/mcp`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => reject(new Error(`mcptranslate exited ${code}:\n${stderr}`)));
    });

    const url = `http://127.0.0.1:${port}/mcp`;
    const post = async (
      message: object,
      session?: string,
    ): Promise<{ response: Response; body: unknown }> => {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2025-06-18",
          ...(session ? { "mcp-session-id": session } : {}),
        },
        body: JSON.stringify(message),
      });
      const text = await response.text();
      // An SSE answer carries the JSON-RPC response in a `data:` line.
      const json = response.headers.get("content-type")?.startsWith("text/event-stream")
        ? text
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trim())
            .find((line) => line.startsWith("{"))
        : text;
      return { response, body: json ? JSON.parse(json) : undefined };
    };

    const init = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "tarball-smoke", version: "1.0.0" },
      },
    });
    expect(init.response.status).toBe(200);
    expect(init.body).toMatchObject({ id: 1, result: { serverInfo: { name: "tiny-stdio-server" } } });
    const session = init.response.headers.get("mcp-session-id") ?? undefined;
    expect(session).toMatch(/^[\x21-\x7e]+$/);

    const initialized = await post({ jsonrpc: "2.0", method: "notifications/initialized" }, session);
    expect(initialized.response.status).toBe(202);
    const tools = await post({ jsonrpc: "2.0", id: 2, method: "tools/list" }, session);
    expect(tools.body).toMatchObject({ id: 2, result: { tools: [{ name: "echo" }] } });

    child.kill("SIGTERM");
    expect(await new Promise((resolve) => child.once("exit", (code) => resolve(code)))).toBe(0);
  }, 30_000);
});
