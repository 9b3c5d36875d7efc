import { fileURLToPath } from "node:url";
import { childEnv, scratchDir } from "./environment.js";
import { createVirtualServer, registerUpstream, startGatewayProcess } from "./gateway-process.js";
import { SupervisedProcess } from "./supervised-process.js";
import type { RunningSystem, SystemSpec } from "./system.js";

const SERVER_SCRIPT = fileURLToPath(new URL("../upstream/many-tools-server.js", import.meta.url));

/** Starts one generated upstream with `tools` tools named `<prefix>_tool_NNN`. */
async function startManyTools(
  home: string,
  prefix: string,
  tools: number,
): Promise<{ process: SupervisedProcess; url: string }> {
  const server = await SupervisedProcess.start(
    `many-tools ${prefix}`,
    process.execPath,
    [SERVER_SCRIPT, "--tools", String(tools), "--prefix", prefix, "--port", "0"],
    { env: childEnv(home) },
  );
  try {
    const match = await server.waitForOutput(/listening on (http:\/\/\S+)/);
    return { process: server, url: match[1] as string };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The aggregation gateway: `upstreams` generated servers of `toolsEach` tools, two virtual servers. */
export function aggregationGateway(upstreams: number, toolsEach: number): SystemSpec {
  return {
    id: "gateway-aggregation",
    label: `gateway, ${upstreams} upstreams x ${toolsEach} tools`,
    async start(): Promise<RunningSystem> {
      const home = scratchDir("aggregation");
      const started: SupervisedProcess[] = [];
      const stop = async (): Promise<void> => {
        await Promise.all(started.map((p) => p.stop()));
        home.remove();
      };
      try {
        const servers = await Promise.all(
          Array.from({ length: upstreams }, (_, i) =>
            startManyTools(home.path, `s${String(i + 1).padStart(2, "0")}`, toolsEach),
          ),
        );
        started.push(...servers.map((s) => s.process));
        const gateway = await startGatewayProcess({ home: home.path, auth: false });
        started.push(gateway.process);
        const toolIds: string[][] = [];
        for (const [i, server] of servers.entries()) {
          toolIds.push(
            await registerUpstream(gateway, {
              name: `upstream-${i + 1}`,
              url: server.url,
              transport: "STREAMABLEHTTP",
            }),
          );
        }
        const all = await createVirtualServer(gateway, "all-upstreams", toolIds.flat());
        const single = await createVirtualServer(gateway, "one-upstream", toolIds[0] ?? []);
        const mcp = (id: string): string => `${gateway.baseUrl}/servers/${id}/mcp`;
        return {
          endpoints: {
            "http2025-all": { transport: "streamable-http", url: mcp(all), era: "2025" },
            "http2025-one": { transport: "streamable-http", url: mcp(single), era: "2025" },
          },
          roots: [gateway.process.pid],
          upstreamRoots: servers.map((s) => s.process.pid),
          stop,
        };
      } catch (error) {
        await stop();
        throw error;
      }
    },
  };
}

/** One generated upstream of `tools` tools, called directly (the reference for its list). */
export function directManyTools(tools: number): SystemSpec {
  return {
    id: "direct-many-tools",
    label: `direct: client -> one generated server of ${tools} tools`,
    async start(): Promise<RunningSystem> {
      const home = scratchDir("many-tools");
      const server = await startManyTools(home.path, "s01", tools);
      return {
        endpoints: { "http2025-one": { transport: "streamable-http", url: server.url, era: "2025" } },
        roots: [server.process.pid],
        upstreamRoots: [],
        async stop() {
          await server.process.stop();
          home.remove();
        },
      };
    },
  };
}
