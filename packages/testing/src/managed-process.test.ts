import { afterEach, describe, expect, it } from "vitest";
import { getFreePort } from "./free-port.js";
import { startProcess, stopAllProcesses } from "./managed-process.js";
import { waitForHttp } from "./wait-for-http.js";

afterEach(stopAllProcesses);

describe("startProcess", () => {
  it("waits for the ready pattern and keeps the output", async () => {
    const p = await startProcess(
      process.execPath,
      ["-e", "console.log('ready 42'); setInterval(() => {}, 1000)"],
      {
        readyPattern: /ready (\d+)/,
      },
    );
    expect(p.output().stdout).toContain("ready 42");
    expect(await p.stop()).toBe("SIGTERM");
  });

  it("rejects when the process exits before it is ready", async () => {
    await expect(
      startProcess(process.execPath, ["-e", "console.error('boom'); process.exit(3)"], {
        readyPattern: /never/,
      }),
    ).rejects.toThrow(/exited before printing[\s\S]*boom/);
  });

  it("kills a process that ignores SIGTERM after the grace period", async () => {
    const p = await startProcess(
      process.execPath,
      ["-e", "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)"],
      { readyPattern: /up/ },
    );
    expect(await p.stop(200)).toBe("SIGKILL");
  });
});

describe("getFreePort and waitForHttp", () => {
  it("finds a port a server can bind and polls it until it answers", async () => {
    const port = await getFreePort();
    expect(port).toBeGreaterThan(0);
    const script = `setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1'), 300)`;
    await startProcess(process.execPath, ["-e", script]);
    const response = await waitForHttp(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe("ok");
  });
});
