import { describe, expect, it } from "vitest";
import type { DecodedLine } from "./json-rpc-line-decoder.js";
import { StdioChild } from "./stdio-child.js";

const ECHO_SERVER = `
const rl = require("node:readline").createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const msg = JSON.parse(line);
  process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result: { echoed: msg.params } }) + "\\n");
});
rl.on("close", () => process.exit(0));
`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("StdioChild", () => {
  it("exchanges newline-delimited JSON-RPC with a real child and ends it by closing stdin", async () => {
    const lines: DecodedLine[] = [];
    let received!: () => void;
    const gotReply = new Promise<void>((r) => {
      received = r;
    });
    const child = await StdioChild.start({
      command: process.execPath,
      args: ["-e", ECHO_SERVER],
      onLine: (line) => {
        lines.push(line);
        received();
      },
    });
    expect(child.send({ jsonrpc: "2.0", id: 7, method: "echo", params: { text: "hi" } })).toBe(true);
    await gotReply;
    expect(lines).toEqual([
      { ok: true, message: { jsonrpc: "2.0", id: 7, result: { echoed: { text: "hi" } } } },
    ]);
    expect(await child.close()).toEqual({ code: 0, signal: null });
    expect(child.running).toBe(false);
    expect(child.send({ id: 8 })).toBe(false);
  });

  it("delivers every line of a burst sent in one turn, in order, and ends cleanly right after one", async () => {
    const ids: unknown[] = [];
    let all!: () => void;
    const done = new Promise<void>((r) => {
      all = r;
    });
    const child = await StdioChild.start({
      command: process.execPath,
      args: ["-e", ECHO_SERVER],
      onLine: (line) => {
        if (line.ok) ids.push((line.message as { id: unknown }).id);
        if (ids.length === 500) all();
      },
    });
    for (let id = 0; id < 500; id++)
      expect(child.send({ jsonrpc: "2.0", id, method: "echo", params: { text: "x".repeat(id) } })).toBe(true);
    await done;
    expect(ids).toEqual(Array.from({ length: 500 }, (_, id) => id));
    // A burst still corked when the child is closed is written before stdin ends.
    const late: unknown[] = [];
    const second = await StdioChild.start({
      command: process.execPath,
      args: ["-e", ECHO_SERVER],
      onLine: (line) => {
        if (line.ok) late.push((line.message as { id: unknown }).id);
      },
    });
    second.send({ jsonrpc: "2.0", id: 1, method: "echo" });
    second.send({ jsonrpc: "2.0", id: 2, method: "echo" });
    const exit = await second.close();
    expect(exit.code).toBe(0);
    expect(late).toEqual([1, 2]);
    await child.close();
  });

  it("kills a child that ignores stdin and SIGTERM, and the processes it spawned", async () => {
    let stderr = "";
    const script = `
      const { spawn } = require("node:child_process");
      const grandchild = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
      process.on("SIGTERM", () => {});
      console.error("grandchild " + grandchild.pid);
      setInterval(() => {}, 1000);
    `;
    const child = await StdioChild.start({
      command: process.execPath,
      args: ["-e", script],
      onLine: () => {},
      onStderr: (text) => {
        stderr += text;
      },
    });
    while (!/grandchild \d+/.test(stderr)) await new Promise((r) => setTimeout(r, 20));
    const grandchildPid = Number(/grandchild (\d+)/.exec(stderr)?.[1]);
    expect(isAlive(grandchildPid)).toBe(true);
    const exit = await child.close(100);
    expect(exit.signal).toBe("SIGKILL");
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(grandchildPid)).toBe(false);
  });

  it("rejects when the command does not exist", async () => {
    await expect(StdioChild.start({ command: "/no/such/command", onLine: () => {} })).rejects.toMatchObject({
      code: "ENOENT",
    });
  });
});
