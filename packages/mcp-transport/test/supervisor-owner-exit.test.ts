import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventually, isAlive, MINI_SERVER, newMarker, osProcessesWith, startTimeOf } from "./helpers.js";

const OWNER = fileURLToPath(new URL("./fixtures/supervisor-owner.mjs", import.meta.url));

type Mode = "exit" | "throw" | "sigterm" | "sigint" | "graceful";

/** Runs an owner that starts three servers (one ignores SIGTERM, one has a grandchild), then ends it. */
async function runOwner(mode: Mode): Promise<{ marker: string; code: number | null; signal: string | null }> {
  const marker = newMarker();
  const owner = spawn(process.execPath, [OWNER, mode, marker, MINI_SERVER], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  owner.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    owner.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const ready = await new Promise<string>((resolve, reject) => {
    let out = "";
    owner.stdout.setEncoding("utf8").on("data", (text: string) => {
      out += text;
      if (out.includes("\n")) resolve(out);
    });
    void exited.then(() => reject(new Error(`owner ended before ready: ${stderr}`)));
  });
  // A grandchild and three servers.
  const pids = ready.trim().split(" ").slice(1).map(Number);
  expect(pids).toHaveLength(4);
  const started = new Map(pids.map((pid) => [pid, startTimeOf(pid)]));
  const stillRunning = () => pids.filter((pid) => isAlive(pid, started.get(pid)));
  if (mode === "sigterm" || mode === "sigint" || mode === "graceful") {
    expect(osProcessesWith(marker).sort()).toEqual([owner.pid, ...pids].sort());
    owner.kill(mode === "sigint" ? "SIGINT" : "SIGTERM");
  }
  const result = await exited;
  expect(
    await eventually(() => osProcessesWith(marker).length === 0, 3_000),
    "servers outlived their owner",
  ).toBe(true);
  // A process in the middle of exiting has already lost its command line: wait for it to be gone.
  await eventually(() => stillRunning().length === 0, 3_000);
  expect(stillRunning()).toEqual([]);
  return { marker, ...result };
}

describe("processes outlive no owner", () => {
  it("kills every server group when the owner calls process.exit() without closing", async () => {
    expect(await runOwner("exit")).toMatchObject({ code: 0 });
  });

  it("kills every server group when the owner dies of an uncaught exception", async () => {
    expect(await runOwner("throw")).toMatchObject({ code: 1 });
  });

  it("kills every server group on a SIGTERM nobody handles, and the owner still dies of it", async () => {
    expect(await runOwner("sigterm")).toMatchObject({ signal: "SIGTERM" });
  });

  it("kills every server group on a SIGINT nobody handles", async () => {
    expect(await runOwner("sigint")).toMatchObject({ signal: "SIGINT" });
  });

  it("leaves SIGTERM to the owner's own handler, whose close() ends the servers", async () => {
    expect(await runOwner("graceful")).toMatchObject({ code: 0 });
  });
});
