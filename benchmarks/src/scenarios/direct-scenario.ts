import { directHttp, directStdio } from "../systems/everything.js";
import { matrixScenario } from "./run-matrix.js";
import type { Scenario } from "./scenario.js";
import { cell, echoVariants } from "./variants.js";

/** Scenario 1: the limit, the client talking to the sample server itself. */
export const directScenario: Scenario = matrixScenario({
  id: "direct",
  title: "1. Direct: client -> sample server",
  description:
    "The physical limit every other figure is compared with: the sample server's own streamable HTTP " +
    "(2025 sessions and 2026-07-28 stateless calls) and stdio (one process, calls multiplexed by id).",
  plans: () => [
    { spec: directHttp, variants: echoVariants(["http2025", "http2026"], [1, 16]) },
    { spec: directStdio, variants: echoVariants(["stdio"], [1, 16]) },
  ],
  ratios: [
    {
      id: "direct-2026-vs-2025-c16",
      label: "direct HTTP: 2026-07-28 stateless / 2025 session throughput, c=16",
      metric: "throughput",
      numerator: cell("direct-http", "http2026", 16),
      denominator: cell("direct-http", "http2025", 16),
    },
    {
      id: "direct-stdio-vs-http-c16",
      label: "direct: stdio / HTTP 2025 throughput, c=16",
      metric: "throughput",
      numerator: cell("direct-stdio", "stdio", 16),
      denominator: cell("direct-http", "http2025", 16),
    },
  ],
});
