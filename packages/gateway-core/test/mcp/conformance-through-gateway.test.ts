import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";

const require = createRequire(import.meta.url);
const CONFORMANCE = join(
  dirname(require.resolve("@modelcontextprotocol/conformance/package.json")),
  "dist",
  "index.js",
);
const EVERYTHING = join(
  dirname(require.resolve("@contextforge/server-everything/package.json")),
  "dist",
  "cli.js",
);

/**
 * Scenarios that do not pass through the gateway yet, by requirement set. The lists are exact:
 * a scenario that starts passing makes the test fail until it is removed here, so the README's
 * counts stay true.
 */
const KNOWN_FAILURES: Record<string, readonly string[]> = {
  "2025-11-25": [],
  "2026-07-28": [],
};

interface ScenarioResult {
  readonly name: string;
  readonly failed: number;
}

let gateway: Gateway;
/** The virtual server each requirement set runs against. */
const urls: Record<string, string> = {};
/** `/mcp` of a gateway whose one upstream exposes its own names, per requirement set. */
const globalUrls: Record<string, string> = {};
const others: Gateway[] = [];

/** A gateway with `upstreamUrl` registered under its own names (expose_original_names): its /mcp URL. */
async function gatewayWithOriginalNames(upstreamUrl: string): Promise<string> {
  const other = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      AUTH_REQUIRED: "false",
      JWT_SECRET_KEY: "conformance-secret-conformance-secret",
      AUTH_ENCRYPTION_SECRET: "conformance-secret-conformance-secret",
    }),
  });
  others.push(other);
  const base = (await other.start()).url;
  await other.registry.gateways.create({
    name: "everything",
    url: upstreamUrl,
    transport: "STREAMABLEHTTP",
    tags: [],
    expose_original_names: true,
  });
  return `${base}/mcp`;
}
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "gateway-conformance-"));
  // A 2025-only upstream: the gateway bridges 2026 clients to it, and its 2025 tools (sampling,
  // elicitation, logging) exercise the relays.
  const port = await getFreePort();
  await startProcess(
    process.execPath,
    [EVERYTHING, "--transport", "http", "--port", String(port), "--legacy-only"],
    {
      readyPattern: /listening on/,
    },
  );
  gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      // The suite cannot send a token.
      AUTH_REQUIRED: "false",
      JWT_SECRET_KEY: "conformance-secret-conformance-secret",
      AUTH_ENCRYPTION_SECRET: "conformance-secret-conformance-secret",
    }),
  });
  const base = (await gateway.start()).url;
  const { registry } = gateway;
  const upstream = await registry.gateways.create({
    name: "everything",
    url: `http://127.0.0.1:${port}/mcp`,
    transport: "STREAMABLEHTTP",
    tags: [],
  });
  const query = {
    includeInactive: false,
    tags: [],
    limit: 1000,
    cursor: undefined,
    includePagination: false,
    gatewayId: upstream.id,
    teamId: undefined,
    visibility: undefined,
  };
  const server = await registry.servers.create({
    name: "conformance",
    tags: [],
    associated_tools: (await registry.tools.list(query)).items.map((t) => t.id),
    associated_resources: (await registry.resources.list(query)).items.map((r) => r.id),
    associated_prompts: (await registry.prompts.list(query)).items.map((p) => p.id),
    associated_a2a_agents: [],
    // The suite calls the fixture's own names (test_simple_text, ...).
    expose_original_names: true,
  });
  urls["2025-11-25"] = `${base}/servers/${server.id}/mcp`;

  // The 2026 run: the same 2025 upstream, plus the 2026-only fixtures (the multi-round-trip
  // tools and prompt, test_missing_capability) of a second, dual-era everything server, so
  // 2026 clients are bridged both to a 2025 upstream and to a 2026 one.
  const modernPort = await getFreePort();
  await startProcess(process.execPath, [EVERYTHING, "--transport", "http", "--port", String(modernPort)], {
    readyPattern: /listening on/,
  });
  const modern = await registry.gateways.create({
    name: "everything-2026",
    url: `http://127.0.0.1:${modernPort}/mcp`,
    transport: "STREAMABLEHTTP",
    tags: [],
  });
  const legacyTools = (await registry.tools.list(query)).items;
  const legacyPrompts = (await registry.prompts.list(query)).items;
  const modernQuery = { ...query, gatewayId: modern.id };
  const onlyModern = <T extends { originalName?: string | null; name: string }>(
    items: readonly T[],
    legacy: readonly T[],
  ): T[] => {
    const taken = new Set(legacy.map((item) => item.originalName ?? item.name));
    return items.filter((item) => !taken.has(item.originalName ?? item.name));
  };
  const server2026 = await registry.servers.create({
    name: "conformance-2026",
    tags: [],
    associated_tools: [
      ...legacyTools,
      ...onlyModern((await registry.tools.list(modernQuery)).items, legacyTools),
    ].map((t) => t.id),
    associated_resources: (await registry.resources.list(query)).items.map((r) => r.id),
    associated_prompts: [
      ...legacyPrompts,
      ...onlyModern((await registry.prompts.list(modernQuery)).items, legacyPrompts),
    ].map((p) => p.id),
    associated_a2a_agents: [],
    expose_original_names: true,
  });
  urls["2026-07-28"] = `${base}/servers/${server2026.id}/mcp`;
  // Through /mcp (every item the caller sees): the 2025-only upstream for the 2025 set, the
  // dual-era one for the 2026 set, each the only upstream of its gateway (names are global there).
  globalUrls["2025-11-25"] = await gatewayWithOriginalNames(`http://127.0.0.1:${port}/mcp`);
  globalUrls["2026-07-28"] = await gatewayWithOriginalNames(`http://127.0.0.1:${modernPort}/mcp`);
});

afterAll(async () => {
  await Promise.allSettled(others.map((g) => g.stop()));
  await gateway?.stop();
  await stopAllProcesses();
  rmSync(workDir, { recursive: true, force: true });
});

async function runSuite(
  requirements: string,
  url: string | undefined = urls[requirements],
): Promise<{ scenarios: ScenarioResult[]; output: string }> {
  const run = await startProcess(
    process.execPath,
    [
      CONFORMANCE,
      "server",
      "--url",
      url ?? "",
      "-o",
      join(workDir, `${requirements}-${url === urls[requirements] ? "server" : "global"}`),
      "--requirements",
      requirements,
    ],
    { cwd: workDir },
  );
  await run.exited();
  const { stdout, stderr } = run.output();
  const output = `${stdout}\n${stderr}`;
  const summary = output.slice(output.indexOf("=== SUMMARY ==="));
  const notScored = new Set([...summary.matchAll(/^ {2}[✓✗] (\S+) \(/gmu)].map(([, name = ""]) => name));
  const scenarios = [...summary.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed$/gmu)]
    .map(([, name = "", , failed = "0"]) => ({ name, failed: Number(failed) }))
    .filter((scenario) => !notScored.has(scenario.name));
  return { scenarios, output };
}

describe("the official MCP conformance suite through /servers/{id}/mcp", { timeout: 240_000 }, () => {
  it.each(Object.keys(KNOWN_FAILURES))(
    "requirement set %s: every scored scenario passes but the known gaps",
    async (set) => {
      const { scenarios, output } = await runSuite(set);
      expect(scenarios.length, output).toBeGreaterThanOrEqual(30);
      const failing = scenarios.filter((s) => s.failed > 0).map((s) => s.name);
      expect(failing.sort(), output).toEqual([...(KNOWN_FAILURES[set] ?? [])].sort());
    },
  );
});

describe("the official MCP conformance suite through /mcp", { timeout: 240_000 }, () => {
  it.each(Object.keys(KNOWN_FAILURES))(
    "requirement set %s: every scored scenario passes but the known gaps",
    async (set) => {
      const { scenarios, output } = await runSuite(set, globalUrls[set]);
      expect(scenarios.length, output).toBeGreaterThanOrEqual(30);
      const failing = scenarios.filter((s) => s.failed > 0).map((s) => s.name);
      expect(failing.sort(), output).toEqual([...(KNOWN_FAILURES[set] ?? [])].sort());
    },
  );
});
