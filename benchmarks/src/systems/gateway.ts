import type { Endpoint } from "../client/endpoint.js";
import { scratchDir } from "./environment.js";
import { EVERYTHING_STDIO, startEverythingHttp } from "./everything.js";
import { createVirtualServer, registerUpstream, startGatewayProcess } from "./gateway-process.js";
import type { SupervisedProcess } from "./supervised-process.js";
import type { RunningSystem, SystemSpec } from "./system.js";

/** The endpoints of virtual server `serverId`: streamable HTTP in both eras, and legacy SSE. */
export function virtualServerEndpoints(
  baseUrl: string,
  serverId: string,
  headers: Readonly<Record<string, string>>,
): Record<string, Endpoint> {
  const url = `${baseUrl}/servers/${serverId}`;
  return {
    http2025: { transport: "streamable-http", url: `${url}/mcp`, era: "2025", headers },
    http2026: { transport: "streamable-http", url: `${url}/mcp`, era: "2026", headers },
    sse: { transport: "sse", url: `${url}/sse`, headers },
  };
}

/**
 * The gateway in front of the sample server: registered through `POST /gateways` (over
 * streamable HTTP, or as a stdio command the gateway runs), every tool of it on one virtual
 * server, reached at `/servers/{id}/mcp` and `/servers/{id}/sse`.
 */
export function gatewaySystem(options: {
  readonly upstream: "http" | "stdio";
  readonly auth: boolean;
}): SystemSpec {
  const { upstream, auth } = options;
  return {
    id: `gateway-${upstream}${auth ? "-jwt" : ""}`,
    label: `gateway -> ${upstream === "http" ? "HTTP" : "stdio"} upstream, auth ${auth ? "JWT" : "off"}`,
    async start(): Promise<RunningSystem> {
      const home = scratchDir(`gateway-${upstream}`);
      const started: SupervisedProcess[] = [];
      const stop = async (): Promise<void> => {
        for (const process of started.reverse()) await process.stop();
        home.remove();
      };
      try {
        let register: Record<string, unknown>;
        if (upstream === "http") {
          const server = await startEverythingHttp(home.path);
          started.push(server.process);
          register = { name: "everything", url: server.url, transport: "STREAMABLEHTTP" };
        } else {
          register = {
            name: "everything",
            transport: "STDIO",
            command: EVERYTHING_STDIO.command,
            args: EVERYTHING_STDIO.args,
          };
        }
        const gateway = await startGatewayProcess({ home: home.path, auth });
        started.push(gateway.process);
        const tools = await registerUpstream(gateway, register);
        const serverId = await createVirtualServer(gateway, "bench", tools);
        return {
          endpoints: virtualServerEndpoints(gateway.baseUrl, serverId, gateway.headers),
          roots: [gateway.process.pid],
          upstreamRoots: upstream === "http" ? [(started[0] as SupervisedProcess).pid] : [],
          stop,
        };
      } catch (error) {
        await stop();
        throw error;
      }
    },
  };
}
