import { gatewaySystem } from "../systems/gateway.js";
import { mcpHub } from "../systems/peers.js";
import { matrixScenario } from "./run-matrix.js";
import type { Scenario } from "./scenario.js";
import { cell, echoVariants } from "./variants.js";

const C = [1, 16] as const;

/** Scenario 5: the gateway against mcp-hub, both aggregating the same stdio server. */
export const aggregatorPeerScenario: Scenario = matrixScenario({
  id: "aggregator",
  title: "5. Aggregator peer: gateway vs mcp-hub on the same stdio upstream",
  description:
    "mcp-hub serves its aggregated endpoint over legacy SSE only (GET /mcp + POST /messages), so the " +
    "gateway is measured on its SSE endpoint (/servers/{id}/sse) and on streamable HTTP. Every echo payload " +
    "is unique: an answer delivered to the wrong client counts as a mismatch.",
  plans: () => [
    {
      spec: gatewaySystem({ upstream: "stdio", auth: false }),
      variants: echoVariants(["sse", "http2025"], C),
    },
    { spec: mcpHub, variants: echoVariants(["sse"], C) },
  ],
  ratios: [
    {
      id: "gateway-sse-vs-mcp-hub-c16",
      label: "gateway SSE / mcp-hub SSE, throughput, c=16",
      metric: "throughput",
      numerator: cell("gateway-stdio", "sse", 16),
      denominator: cell("mcp-hub", "sse", 16),
      target: { op: ">=", value: 1.2 },
    },
    {
      id: "gateway-sse-vs-mcp-hub-c1",
      label: "gateway SSE / mcp-hub SSE, throughput, c=1",
      metric: "throughput",
      numerator: cell("gateway-stdio", "sse", 1),
      denominator: cell("mcp-hub", "sse", 1),
    },
    {
      id: "gateway-http-vs-mcp-hub-c16",
      label: "gateway streamable HTTP / mcp-hub SSE, throughput, c=16",
      metric: "throughput",
      numerator: cell("gateway-stdio", "http2025", 16),
      denominator: cell("mcp-hub", "sse", 16),
    },
  ],
});
