import { aggregationGateway, directManyTools } from "../systems/many-tools.js";
import { matrixScenario } from "./run-matrix.js";
import type { Scenario, Variant } from "./scenario.js";

const UPSTREAMS = 20;
const TOOLS_EACH = 50;
const TOTAL = UPSTREAMS * TOOLS_EACH;
/** The gateway's default MCP_PAGE_SIZE: the whole 1,000-tool list fits in one page. */
const PAGE = 1000;

function list(endpoint: string, key: string, c: number, expectedTools: number): Variant {
  return { key: `${key}-c${c}`, endpoint, concurrency: c, workload: { kind: "list", expectedTools } };
}

/** Scenario 3: tools/list over a virtual server of many upstreams vs one. */
export const aggregationScenario: Scenario = matrixScenario({
  id: "aggregation",
  title: "3. Aggregation: tools/list over 1,000 tools from 20 upstreams vs 50 tools from one",
  description:
    `One gateway with ${UPSTREAMS} generated upstreams of ${TOOLS_EACH} tools each (benchmarks/src/upstream/` +
    `many-tools-server.ts, SDK v2, streamable HTTP); one virtual server over all ${TOTAL} tools, one over the ` +
    `${TOOLS_EACH} tools of the first upstream. A call is a complete listing: tools/list and every next page ` +
    `(the gateway answers up to ${PAGE} per page by default, so the big list takes one request; with ` +
    "MCP_PAGE_SIZE=100 it took ten). The count of tools listed is checked.",
  plans: () => [
    {
      spec: aggregationGateway(UPSTREAMS, TOOLS_EACH),
      variants: [
        list("http2025-all", `list-${TOTAL}`, 1, TOTAL),
        list("http2025-all", `list-${TOTAL}`, 16, TOTAL),
        list("http2025-one", `list-${TOOLS_EACH}`, 1, TOOLS_EACH),
        list("http2025-one", `list-${TOOLS_EACH}`, 16, TOOLS_EACH),
      ],
    },
    {
      spec: directManyTools(TOOLS_EACH),
      variants: [
        list("http2025-one", `list-${TOOLS_EACH}`, 1, TOOLS_EACH),
        list("http2025-one", `list-${TOOLS_EACH}`, 16, TOOLS_EACH),
      ],
    },
  ],
  ratios: [
    {
      id: "aggregation-list-p50-c1",
      label: `gateway tools/list, ${TOTAL} tools from ${UPSTREAMS} upstreams (all pages) / ${TOOLS_EACH} tools from one, p50, c=1`,
      metric: "p50",
      numerator: { system: "gateway-aggregation", variant: `list-${TOTAL}-c1` },
      denominator: { system: "gateway-aggregation", variant: `list-${TOOLS_EACH}-c1` },
      target: { op: "<=", value: 2 },
    },
    {
      id: "aggregation-list-throughput-c16",
      label: `gateway complete listings per second, ${TOTAL} tools / ${TOOLS_EACH} tools, c=16`,
      metric: "throughput",
      numerator: { system: "gateway-aggregation", variant: `list-${TOTAL}-c16` },
      denominator: { system: "gateway-aggregation", variant: `list-${TOOLS_EACH}-c16` },
    },
    {
      id: "aggregation-one-vs-direct-p50-c1",
      label: `tools/list of ${TOOLS_EACH} tools: gateway / direct, p50, c=1`,
      metric: "p50",
      numerator: { system: "gateway-aggregation", variant: `list-${TOOLS_EACH}-c1` },
      denominator: { system: "direct-many-tools", variant: `list-${TOOLS_EACH}-c1` },
    },
  ],
});
