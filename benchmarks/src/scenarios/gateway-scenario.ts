import { directHttp } from "../systems/everything.js";
import { gatewaySystem } from "../systems/gateway.js";
import { mcpProxy, supergatewayHttp } from "../systems/peers.js";
import { matrixScenario } from "./run-matrix.js";
import type { RatioSpec, Scenario } from "./scenario.js";
import { cell, echoVariants } from "./variants.js";

const C = [1, 16] as const;
const PEERS = ["supergateway-stateful", "mcp-proxy"] as const;

function stdioVsPeers(c: number): RatioSpec {
  return {
    id: `gateway-stdio-vs-peers-c${c}`,
    label: `gateway HTTP -> stdio upstream / best streamable-HTTP peer, throughput, c=${c}`,
    metric: "throughput",
    numerator: cell("gateway-stdio", "http2025", c),
    denominator: { bestOf: PEERS.map((peer) => cell(peer, "http2025", c)) },
    target: { op: ">=", value: 1.5 },
  };
}

function statelessVsSession(upstream: "http" | "stdio", c: number, target: boolean): RatioSpec {
  return {
    id: `gateway-${upstream}-2026-vs-2025-c${c}`,
    label: `gateway -> ${upstream} upstream: 2026-07-28 stateless / 2025 session throughput, c=${c}`,
    metric: "throughput",
    numerator: cell(`gateway-${upstream}`, "http2026", c),
    denominator: cell(`gateway-${upstream}`, "http2025", c),
    ...(target ? { target: { op: ">=", value: 1 } as const } : {}),
  };
}

/** Scenario 2: the gateway on the hot path, against the direct path and the stdio peers. */
export const gatewayScenario: Scenario = matrixScenario({
  id: "gateway",
  title: "2. Gateway: client -> /servers/{id}/mcp -> sample server",
  description:
    "The gateway with the sample server registered over streamable HTTP and as a stdio command, auth off " +
    "(anonymous administrator) and on (a JWT minted with `mcpgateway token`), 2025 sessions and 2026-07-28 " +
    "stateless calls; the direct HTTP path and the streamable-HTTP peers on the same stdio server run " +
    "alternately with it, for the ratios.",
  plans: () => [
    { spec: directHttp, variants: echoVariants(["http2025", "http2026"], C) },
    {
      spec: gatewaySystem({ upstream: "http", auth: false }),
      variants: echoVariants(["http2025", "http2026"], C),
    },
    { spec: gatewaySystem({ upstream: "http", auth: true }), variants: echoVariants(["http2025"], C) },
    {
      spec: gatewaySystem({ upstream: "stdio", auth: false }),
      variants: echoVariants(["http2025", "http2026"], C),
    },
    { spec: gatewaySystem({ upstream: "stdio", auth: true }), variants: echoVariants(["http2025"], C) },
    { spec: supergatewayHttp("stateful"), variants: echoVariants(["http2025"], C) },
    { spec: mcpProxy, variants: echoVariants(["http2025"], C) },
  ],
  ratios: [
    {
      id: "gateway-http-vs-direct-c16",
      label: "gateway HTTP -> HTTP upstream / direct HTTP, throughput, c=16",
      metric: "throughput",
      numerator: cell("gateway-http", "http2025", 16),
      denominator: cell("direct-http", "http2025", 16),
      target: { op: ">=", value: 0.6 },
    },
    {
      id: "gateway-http-vs-direct-p50-c1",
      label: "gateway HTTP -> HTTP upstream / direct HTTP, p50 latency, c=1",
      metric: "p50",
      numerator: cell("gateway-http", "http2025", 1),
      denominator: cell("direct-http", "http2025", 1),
      target: { op: "<=", value: 2 },
    },
    {
      id: "gateway-http-vs-direct-2026-c16",
      label:
        "gateway HTTP -> HTTP upstream / direct HTTP 2026-07-28 (the protocol the gateway speaks to this upstream), throughput, c=16",
      metric: "throughput",
      numerator: cell("gateway-http", "http2025", 16),
      denominator: cell("direct-http", "http2026", 16),
    },
    stdioVsPeers(1),
    stdioVsPeers(16),
    statelessVsSession("stdio", 1, true),
    statelessVsSession("stdio", 16, true),
    statelessVsSession("http", 16, false),
    {
      id: "gateway-http-jwt-vs-off-c16",
      label: "gateway -> HTTP upstream: auth JWT / auth off throughput, c=16",
      metric: "throughput",
      numerator: cell("gateway-http-jwt", "http2025", 16),
      denominator: cell("gateway-http", "http2025", 16),
    },
    {
      id: "gateway-stdio-jwt-vs-off-c16",
      label: "gateway -> stdio upstream: auth JWT / auth off throughput, c=16",
      metric: "throughput",
      numerator: cell("gateway-stdio-jwt", "http2025", 16),
      denominator: cell("gateway-stdio", "http2025", 16),
    },
  ],
});
