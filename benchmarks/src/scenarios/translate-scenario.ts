import { mcpProxy, supergatewayHttp, supergatewaySse, translate, translateSystem } from "../systems/peers.js";
import { matrixScenario } from "./run-matrix.js";
import type { CellRef, RatioSpec, Scenario } from "./scenario.js";
import { cell, echoVariants } from "./variants.js";

const C = [1, 32] as const;

function versusPeers(
  transport: "http2025" | "sse",
  c: number,
  peers: readonly CellRef[],
  system: "mcptranslate" | "mcptranslate-shared" = "mcptranslate",
): RatioSpec {
  const name = transport === "sse" ? "SSE" : "streamable HTTP";
  const shared = system === "mcptranslate-shared";
  return {
    id: `${shared ? "translate-shared" : "translate"}-${transport === "sse" ? "sse" : "http"}-vs-peers-c${c}`,
    label: `${shared ? "mcptranslate --shared" : "mcptranslate"} / best of supergateway and mcp-proxy, ${name}, throughput, c=${c}`,
    metric: "throughput",
    numerator: cell(system, transport, c),
    denominator: { bestOf: peers },
    ...(shared ? {} : { target: { op: ">=", value: 1.5 } as const }),
  };
}

function httpPeers(c: number): CellRef[] {
  return [
    cell("supergateway-stateful", "http2025", c),
    cell("supergateway-stateless", "http2025", c),
    cell("mcp-proxy", "http2025", c),
  ];
}

function ssePeers(c: number): CellRef[] {
  return [cell("supergateway-sse", "sse", c), cell("mcp-proxy", "sse", c)];
}

/** Scenario 4: a stdio server put on the network by mcptranslate and by the npm peers. */
export const translateScenario: Scenario = matrixScenario({
  id: "translate",
  title: "4. Translate: stdio server exposed by mcptranslate vs supergateway vs mcp-proxy",
  description:
    "The sample server over stdio behind each bridge, reached over streamable HTTP (2025 sessions) and " +
    "legacy SSE, with 1 and 32 concurrent sessions. mcptranslate (by default) and supergateway --stateful " +
    "start a child per session, supergateway stateless one per request; mcptranslate --shared, mcp-proxy " +
    "and supergateway SSE share one child. The targets hold mcptranslate's default mode; --shared is shown " +
    "for comparison. CPU and RSS include every child.",
  plans: () => [
    { spec: translate, variants: echoVariants(["http2025", "sse"], C) },
    { spec: translateSystem("shared"), variants: echoVariants(["http2025", "sse"], C) },
    { spec: supergatewayHttp("stateful"), variants: echoVariants(["http2025"], C) },
    { spec: supergatewayHttp("stateless"), variants: echoVariants(["http2025"], C) },
    { spec: supergatewaySse, variants: echoVariants(["sse"], C) },
    { spec: mcpProxy, variants: echoVariants(["http2025", "sse"], C) },
  ],
  ratios: [
    ...C.flatMap((c) => [versusPeers("http2025", c, httpPeers(c)), versusPeers("sse", c, ssePeers(c))]),
    ...C.flatMap((c) => [
      versusPeers("http2025", c, httpPeers(c), "mcptranslate-shared"),
      versusPeers("sse", c, ssePeers(c), "mcptranslate-shared"),
    ]),
  ],
});
