import { request } from "node:http";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startHttpServer } from "../src/index.js";
import { BIN, startHttpBin } from "./helpers/fast-time-bin.js";

afterEach(stopAllProcesses);

/** node:http instead of fetch, which does not let a caller choose the Host header. */
function get(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("mcp-fast-time --transport http", () => {
  it("announces its endpoint on stderr and answers GET /health", async () => {
    const { process: child, port } = await startHttpBin();
    expect(child.output().stderr).toContain(`mcp-fast-time listening on http://127.0.0.1:${port}/mcp`);
    expect(child.output().stdout).toBe("");
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", name: "mcp-fast-time" });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  });

  it("refuses a foreign Host header on loopback (DNS rebinding)", async () => {
    const { port } = await startHttpBin();
    expect((await get(port, "/mcp", "evil.example")).status).toBe(403);
    expect((await get(port, "/health", "evil.example")).status).toBe(200);
  });

  it.each(["SIGTERM", "SIGINT"] as const)("exits 0 on %s", async (signal) => {
    const { process: child } = await startHttpBin();
    child.child.kill(signal);
    expect(await child.exited()).toBe(0);
  });

  it("fails with a message when the port is taken", async () => {
    const { port } = await startHttpBin();
    const second = await startProcess(process.execPath, [BIN, "--transport", "http", "--port", String(port)]);
    expect(await second.exited()).toBe(1);
    expect(second.output().stderr).toContain("EADDRINUSE");
  });
});

describe("mcp-fast-time over stdio", () => {
  it("exits 0 on SIGTERM and when its stdin closes", async () => {
    const ready = { readyPattern: /serving MCP on stdio/ };
    const byStdin = await startProcess(process.execPath, [BIN], ready);
    byStdin.child.stdin?.end();
    expect(await byStdin.exited()).toBe(0);
    const bySignal = await startProcess(process.execPath, [BIN], ready);
    bySignal.child.kill("SIGTERM");
    expect(await bySignal.exited()).toBe(0);
  });
});

describe("startHttpServer", () => {
  it("listens on the port it is given and closes", async () => {
    const port = await getFreePort();
    const server = await startHttpServer({ port });
    expect(server.url).toBe(`http://127.0.0.1:${port}/mcp`);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    await server.close();
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
