import { afterAll, expect, it } from "vitest";
import { StdioSupervisor } from "../src/index.js";
import { connectClient, eventually, firstText, miniServer, newMarker, osProcessesWith } from "./helpers.js";

const SESSIONS = 500;
const CONCURRENCY = 10;
const marker = newMarker();
const supervisor = new StdioSupervisor({ idleTimeoutMs: 25, killGraceMs: 500, maxProcesses: 32 });
afterAll(() => supervisor.close());

it(`leaks no process over ${SESSIONS} sessions, each with a dedicated server`, {
  timeout: 60_000,
}, async () => {
  const spec = miniServer("churn", marker, [], { maxProcesses: 32 });
  let next = 0;
  let peakSupervised = 0;
  let peakOs = 0;
  const started = Date.now();
  const sample = setInterval(() => {
    peakSupervised = Math.max(peakSupervised, supervisor.processCount);
    peakOs = Math.max(peakOs, osProcessesWith(marker).length);
  }, 50);

  async function worker(): Promise<void> {
    while (next < SESSIONS) {
      const session = next++;
      const lease = await supervisor.acquire(spec, `session-${session}`);
      const client = await connectClient(lease);
      if (session % 50 === 0) {
        // Now and then a server leaves a grandchild behind: its process group must take it along.
        await client.callTool({ name: "spawn_grandchild", arguments: {} });
      } else if (session % 2 === 0) {
        const result = await client.callTool({ name: "echo", arguments: { text: `s${session}` } });
        expect(firstText(result)).toBe(`s${session}`);
      } else {
        await client.ping();
      }
      await client.close(); // releases the lease
    }
  }

  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    clearInterval(sample);
  }
  const elapsed = Date.now() - started;
  expect(await eventually(() => supervisor.processCount === 0, 5_000)).toBe(true);
  expect(await eventually(() => osProcessesWith(marker).length === 0, 2_000)).toBe(true);
  console.info(
    `churn: ${SESSIONS} sessions x${CONCURRENCY} in ${elapsed} ms; peak ${peakSupervised} supervised / ${peakOs} OS processes; 0 left`,
  );
  // The sampler saw the servers, so a zero at the end means they were stopped, not missed.
  expect(peakOs).toBeGreaterThan(0);
  expect(peakSupervised).toBeLessThanOrEqual(32);
});
