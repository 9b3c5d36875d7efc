import { setTimeout as sleep } from "node:timers/promises";
import { Agent } from "undici";
import { StreamableHttpSession } from "../client/streamable-http-session.js";
import { treeRssMb } from "../measure/resource-monitor.js";
import { currentLoad, environmentInfo } from "../report/environment-info.js";
import { scratchDir } from "../systems/environment.js";
import { directHttp, startEverythingHttp } from "../systems/everything.js";
import { createVirtualServer, registerUpstream, startGatewayProcess } from "../systems/gateway-process.js";
import { mcpHub, mcpProxy, supergatewayHttp, translate } from "../systems/peers.js";
import type { SystemSpec } from "../systems/system.js";
import { progress } from "./run-matrix.js";
import type { BenchSettings, Measurement, Scenario, ScenarioResult } from "./scenario.js";
import { measurement } from "./summarize.js";

const SESSIONS = 1_000;
const SESSIONS_TEXT = "1,000";
const IDLE_PEERS: readonly SystemSpec[] = [
  directHttp,
  translate,
  supergatewayHttp("stateful"),
  mcpProxy,
  mcpHub,
];

/** Opens `count` 2025 sessions (initialize + initialized), `parallel` at a time; keeps them open. */
async function openSessions(
  url: string,
  count: number,
  parallel: number,
  dispatcher: Agent,
): Promise<StreamableHttpSession[]> {
  const sessions: StreamableHttpSession[] = [];
  let next = 0;
  const opener = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const session = new StreamableHttpSession({ url, era: "2025", dispatcher });
      await session.open();
      sessions.push(session);
    }
  };
  await Promise.all(Array.from({ length: parallel }, opener));
  return sessions;
}

/** One repetition for the gateway: ready time, idle RSS, RSS before and with 1,000 idle sessions. */
async function measureGateway(
  settleMs: number,
): Promise<{ readyMs: number; idle: number; before: number; after: number }> {
  const home = scratchDir("footprint");
  const upstream = await startEverythingHttp(home.path);
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  try {
    const gateway = await startGatewayProcess({ home: home.path, auth: false, readyPollMs: 5 });
    try {
      await sleep(settleMs);
      const idle = treeRssMb([gateway.process.pid]).rssMb;
      const tools = await registerUpstream(gateway, {
        name: "everything",
        url: upstream.url,
        transport: "STREAMABLEHTTP",
      });
      const serverId = await createVirtualServer(gateway, "bench", tools);
      const url = `${gateway.baseUrl}/servers/${serverId}/mcp`;
      // One session first, so what the first session loads (the SDK, the snapshot) is not counted per session.
      const [first] = await openSessions(url, 1, 1, dispatcher);
      await first?.request("tools/list", {});
      await sleep(settleMs);
      const before = treeRssMb([gateway.process.pid]).rssMb;
      await openSessions(url, SESSIONS, 32, dispatcher);
      await sleep(settleMs);
      const after = treeRssMb([gateway.process.pid]).rssMb;
      return { readyMs: gateway.readyMs, idle, before, after };
    } finally {
      await gateway.process.stop();
    }
  } finally {
    await dispatcher.destroy();
    await upstream.process.stop();
    home.remove();
  }
}

/** Scenario 6: memory and start time. */
export const footprintScenario: Scenario = {
  id: "footprint",
  title: "6. Footprint: idle RSS, 1,000 idle sessions, start to /ready",
  async run(settings: BenchSettings): Promise<ScenarioResult> {
    const startedAt = new Date().toISOString();
    const startLoad = currentLoad();
    const settleMs = settings.quick ? 1_000 : 3_000;
    const gateway = {
      readyMs: [] as number[],
      idle: [] as number[],
      before: [] as number[],
      after: [] as number[],
    };
    const peers = new Map<string, number[]>(IDLE_PEERS.map((spec) => [spec.id, []]));
    const notes: string[] = [];
    for (let rep = 0; rep < settings.reps; rep++) {
      try {
        const m = await measureGateway(settleMs);
        for (const key of ["readyMs", "idle", "before", "after"] as const) gateway[key].push(m[key]);
        progress(
          `[footprint] rep ${rep + 1} gateway: ready ${m.readyMs.toFixed(0)} ms, idle ${m.idle.toFixed(1)} MB, ` +
            `${SESSIONS_TEXT} sessions +${(m.after - m.before).toFixed(1)} MB`,
        );
      } catch (error) {
        notes.push(`rep ${rep + 1}, gateway: ${(error as Error).message.split("\n")[0]}`);
      }
      for (const spec of IDLE_PEERS) {
        try {
          const running = await spec.start();
          try {
            await sleep(settleMs);
            const { rssMb } = treeRssMb(running.roots);
            peers.get(spec.id)?.push(rssMb);
            progress(`[footprint] rep ${rep + 1} ${spec.id}: idle ${rssMb.toFixed(1)} MB`);
          } finally {
            await running.stop();
          }
        } catch (error) {
          notes.push(`rep ${rep + 1}, ${spec.id}: ${(error as Error).message.split("\n")[0]}`);
        }
      }
    }
    const deltas = gateway.after.map((after, i) => after - (gateway.before[i] ?? Number.NaN));
    const measurements: Measurement[] = [
      measurement(
        {
          id: "gateway-ready",
          system: "gateway",
          label: "start to /ready = 200 (fresh SQLite)",
          unit: "ms",
          target: { op: "<=", value: 1_000 },
        },
        gateway.readyMs,
      ),
      measurement(
        {
          id: "gateway-idle-rss",
          system: "gateway",
          label: "idle RSS after start",
          unit: "MB",
          target: { op: "<=", value: 80 },
        },
        gateway.idle,
      ),
      measurement(
        {
          id: "gateway-registered-rss",
          system: "gateway",
          label: "RSS with one upstream, one virtual server, one session",
          unit: "MB",
        },
        gateway.before,
      ),
      measurement(
        {
          id: "gateway-sessions-rss",
          system: "gateway",
          label: `RSS with ${SESSIONS_TEXT} more open idle sessions`,
          unit: "MB",
        },
        gateway.after,
      ),
      measurement(
        {
          id: "gateway-sessions-delta",
          system: "gateway",
          label: `RSS added by ${SESSIONS_TEXT} open idle sessions`,
          unit: "MB",
          target: { op: "<=", value: 100 },
        },
        deltas,
      ),
      ...IDLE_PEERS.map((spec) =>
        measurement(
          {
            id: `${spec.id}-idle-rss`,
            system: spec.id,
            label: `${spec.label}: idle RSS (process tree)`,
            unit: "MB",
          },
          peers.get(spec.id) ?? [],
        ),
      ),
    ];
    return {
      id: "footprint",
      title: footprintScenario.title,
      description:
        `RSS is the sum of VmRSS over the process tree (the system and its children), read ${settleMs / 1000} s ` +
        `after it settles. Sessions are 2025 streamable HTTP sessions (initialize + initialized), opened 32 at a ` +
        "time and left idle. Ready time is from spawn to the first 200 on GET /ready, polled every 5 ms, on a " +
        "fresh SQLite database (migrations included). The peers start their stdio child lazily (per session), " +
        "except mcp-hub, which starts it at once: its idle figure includes the sample server.",
      startedAt,
      finishedAt: new Date().toISOString(),
      settings,
      environment: environmentInfo(startLoad),
      cells: [],
      ratios: [],
      measurements,
      notes,
    };
  },
};
