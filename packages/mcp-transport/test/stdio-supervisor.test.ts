import { afterEach, describe, expect, it } from "vitest";
import { type StdioLease, StdioSupervisor, SupervisorError } from "../src/index.js";
import {
  connectClient,
  eventually,
  firstText,
  isAlive,
  miniServer,
  newMarker,
  osProcessesWith,
  sleep,
} from "./helpers.js";

const supervisors: StdioSupervisor[] = [];
const markers: string[] = [];

function setup(options: ConstructorParameters<typeof StdioSupervisor>[0] = {}): {
  supervisor: StdioSupervisor;
  marker: string;
} {
  const supervisor = new StdioSupervisor({ killGraceMs: 200, ...options });
  const marker = newMarker();
  supervisors.push(supervisor);
  markers.push(marker);
  return { supervisor, marker };
}

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.close()));
  for (const marker of markers.splice(0))
    expect(osProcessesWith(marker), "processes left behind").toEqual([]);
});

function exited(lease: StdioLease): Promise<void> {
  return new Promise((resolve) => lease.child.onExit(() => resolve()));
}

async function rejection(promise: Promise<unknown>): Promise<SupervisorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SupervisorError);
  return error as SupervisorError;
}

describe("StdioSupervisor", () => {
  it("starts a server on first acquire and shares it between leases of the same key", async () => {
    const { supervisor, marker } = setup();
    const spec = miniServer("mini", marker);
    expect(osProcessesWith(marker)).toEqual([]);
    const first = await supervisor.acquire(spec);
    const second = await supervisor.acquire(spec);
    expect(second.child.pid).toBe(first.child.pid);
    expect(osProcessesWith(marker)).toEqual([first.child.pid]);
    expect(supervisor.processes()).toMatchObject([
      { serverId: "mini", key: "mini", state: "running", leases: 2 },
    ]);

    // Releasing one lease leaves the process to the other.
    first.release();
    expect(first.child.send({ jsonrpc: "2.0", id: 1, method: "ping" })).toBe(false);
    const client = await connectClient(second);
    expect(firstText(await client.callTool({ name: "echo", arguments: { text: "still here" } }))).toBe(
      "still here",
    );
    await client.close();
    expect(second.released).toBe(true);
  });

  it("gives each key its own process", async () => {
    const { supervisor, marker } = setup();
    const spec = miniServer("mini", marker);
    const [a, b] = await Promise.all([
      supervisor.acquire(spec, "session-a"),
      supervisor.acquire(spec, "session-b"),
    ]);
    expect(a.child.pid).not.toBe(b.child.pid);
    expect(osProcessesWith(marker).sort()).toEqual([a.child.pid, b.child.pid].sort());
    expect(supervisor.processCount).toBe(2);
  });

  it("starts one process when the same key is acquired concurrently", async () => {
    const { supervisor, marker } = setup();
    const leases = await Promise.all(
      Array.from({ length: 5 }, () => supervisor.acquire(miniServer("mini", marker))),
    );
    expect(new Set(leases.map((l) => l.child.pid)).size).toBe(1);
    expect(osProcessesWith(marker)).toHaveLength(1);
  });

  it("stops a process nobody holds after the idle timeout, and reuses it before", async () => {
    const { supervisor, marker } = setup({ idleTimeoutMs: 300 });
    const spec = miniServer("mini", marker);
    const first = await supervisor.acquire(spec);
    const pid = first.child.pid;
    first.release();
    await sleep(100);
    const again = await supervisor.acquire(spec);
    expect(again.child.pid).toBe(pid);
    again.release();
    expect(supervisor.processes()).toMatchObject([{ state: "idle", leases: 0 }]);
    expect(await eventually(() => supervisor.processCount === 0, 2_000)).toBe(true);
    expect(await eventually(() => !isAlive(pid), 1_000)).toBe(true);
    expect(osProcessesWith(marker)).toEqual([]);
    const fresh = await supervisor.acquire(spec);
    expect(fresh.child.pid).not.toBe(pid);
  });

  it("restarts a crashed server on the next acquire, waiting longer after each crash", async () => {
    const { supervisor, marker } = setup({ backoff: { initialMs: 200, factor: 2, maxMs: 5_000 } });
    const spec = miniServer("crashy", marker, ["--crash-on-start"]);
    const waits: number[] = [];
    let crashedAt: number | undefined;
    for (let start = 0; start < 3; start++) {
      // Retry as fast as a caller in a hurry would: the start still waits for the backoff.
      let lease: StdioLease | undefined;
      let refusals = 0;
      while (!lease) {
        try {
          lease = await supervisor.acquire(spec);
        } catch (error) {
          expect(error).toMatchObject({ code: "backoff", serverId: "crashy" });
          expect((error as SupervisorError).retryAt).toBeGreaterThan(crashedAt ?? 0);
          refusals++;
          await sleep(10);
        }
      }
      if (crashedAt !== undefined) {
        waits.push(Date.now() - crashedAt);
        expect(refusals).toBeGreaterThan(0);
      }
      await exited(lease);
      crashedAt = Date.now();
      expect(lease.child.running).toBe(false);
    }
    // 200 ms after the first crash, 400 ms after the second.
    expect(waits[0]).toBeGreaterThanOrEqual(190);
    expect(waits[1]).toBeGreaterThanOrEqual(390);
    expect(waits[1]).toBeGreaterThan((waits[0] ?? 0) + 100);
    const error = await rejection(supervisor.acquire(spec));
    expect(error.retryAfterMs).toBeGreaterThan(600);
    expect(error.message).toContain("crashed 3 time(s)");
  });

  it("fails fast at the per-server cap, and makes room by stopping an idle process", async () => {
    const { supervisor, marker } = setup();
    const spec = miniServer("mini", marker, [], { maxProcesses: 2 });
    const a = await supervisor.acquire(spec, "a");
    await supervisor.acquire(spec, "b");
    const error = await rejection(supervisor.acquire(spec, "c"));
    expect(error.code).toBe("capacity");
    expect(error.message).toContain("cap of 2");
    // Joining an existing key needs no new process.
    await supervisor.acquire(spec, "b");

    a.release();
    const c = await supervisor.acquire(spec, "c");
    expect(isAlive(a.child.pid)).toBe(false);
    expect(
      supervisor
        .processes()
        .map((p) => p.key)
        .sort(),
    ).toEqual(["b", "c"]);
    expect(osProcessesWith(marker)).toHaveLength(2);
    expect(c.child.running).toBe(true);
  });

  it("fails fast at the total cap across servers", async () => {
    const { supervisor, marker } = setup({ maxProcesses: 2 });
    await supervisor.acquire(miniServer("one", marker));
    await supervisor.acquire(miniServer("two", marker));
    const error = await rejection(supervisor.acquire(miniServer("three", marker)));
    expect(error).toMatchObject({ code: "capacity", serverId: "three" });
    expect(error.message).toContain("total cap of 2");
  });

  it("reports a command that cannot be started, and backs off before trying it again", async () => {
    const { supervisor } = setup();
    const spec = { serverId: "missing", command: "/no/such/command" };
    const error = await rejection(supervisor.acquire(spec));
    expect(error.code).toBe("start_failed");
    expect(error.cause).toMatchObject({ code: "ENOENT" });
    expect((await rejection(supervisor.acquire(spec))).code).toBe("backoff");
    expect(supervisor.processCount).toBe(0);
  });

  it("kills the whole process group: what a server spawned dies on stop and on a crash", async () => {
    const { supervisor, marker } = setup({ idleTimeoutMs: 0 });
    const spec = miniServer("mini", marker);

    const stopped = await supervisor.acquire(spec, "stopped");
    const stoppedClient = await connectClient(stopped);
    const orphan = Number(
      firstText(await stoppedClient.callTool({ name: "spawn_grandchild", arguments: {} })),
    );
    expect(isAlive(orphan)).toBe(true);
    await stoppedClient.close(); // releases; idle timeout 0 stops it now
    expect(await eventually(() => !isAlive(orphan), 2_000)).toBe(true);

    const crashed = await supervisor.acquire(spec, "crashed");
    const crashedClient = await connectClient(crashed);
    const survivor = Number(
      firstText(await crashedClient.callTool({ name: "spawn_grandchild", arguments: {} })),
    );
    const closed = new Promise<void>((resolve) => {
      crashedClient.onclose = resolve;
    });
    await crashedClient.callTool({ name: "crash", arguments: {} }).catch(() => undefined);
    await closed;
    expect(await eventually(() => !isAlive(survivor), 2_000)).toBe(true);
    expect(osProcessesWith(marker)).toEqual([]);
  });

  it("passes only its own env and PATH, HOME, LANG to a server, never the parent's secrets", async () => {
    const { supervisor, marker } = setup();
    process.env.CF_TEST_PARENT_SECRET = "hunter2";
    try {
      const lease = await supervisor.acquire(
        miniServer("mini", marker, [], { env: { SERVER_TOKEN: "mine" } }),
      );
      const client = await connectClient(lease);
      const read = async (name: string): Promise<string> =>
        firstText(await client.callTool({ name: "read_env", arguments: { name } }));
      expect(await read("CF_TEST_PARENT_SECRET")).toBe("<unset>");
      expect(await read("SERVER_TOKEN")).toBe("mine");
      expect(await read("PATH")).toBe(process.env.PATH);
      await client.close();
    } finally {
      delete process.env.CF_TEST_PARENT_SECRET;
    }
  });

  it("close() kills every process, even one that ignores stdin and SIGTERM, and refuses new leases", async () => {
    const listenersBefore = process.listenerCount("SIGTERM");
    const { supervisor, marker } = setup({ killGraceMs: 100 });
    expect(process.listenerCount("SIGTERM")).toBe(listenersBefore === 0 ? 1 : listenersBefore);
    const stubborn = await supervisor.acquire(miniServer("stubborn", marker, ["--ignore-sigterm"]));
    await supervisor.acquire(miniServer("mini", marker), "x");
    const idle = await supervisor.acquire(miniServer("mini", marker), "y");
    idle.release();
    expect(osProcessesWith(marker)).toHaveLength(3);

    await supervisor.close();
    expect(supervisor.processCount).toBe(0);
    expect(osProcessesWith(marker)).toEqual([]);
    expect(stubborn.child.running).toBe(false);
    expect(process.listenerCount("SIGTERM")).toBe(listenersBefore);
    expect((await rejection(supervisor.acquire(miniServer("mini", marker)))).code).toBe("closed");
  });
});
