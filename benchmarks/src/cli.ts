import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { resultsMarkdown } from "./report/results-markdown.js";
import { aggregationScenario } from "./scenarios/aggregation-scenario.js";
import { aggregatorPeerScenario } from "./scenarios/aggregator-peer-scenario.js";
import { directScenario } from "./scenarios/direct-scenario.js";
import { footprintScenario } from "./scenarios/footprint-scenario.js";
import { gatewayScenario } from "./scenarios/gateway-scenario.js";
import { progress } from "./scenarios/run-matrix.js";
import type { BenchSettings, Scenario, ScenarioResult } from "./scenarios/scenario.js";
import { translateScenario } from "./scenarios/translate-scenario.js";
import { BENCH_DIR, WORKSPACE_CLIS } from "./systems/environment.js";
import { profileGateways } from "./systems/gateway-process.js";
import { peerDescriptions } from "./systems/peers.js";
import { installProcessCleanup } from "./systems/supervised-process.js";

const SCENARIOS: readonly Scenario[] = [
  directScenario,
  gatewayScenario,
  aggregationScenario,
  translateScenario,
  aggregatorPeerScenario,
  footprintScenario,
];

const USAGE = `Usage: pnpm bench [-- options]

Runs the benchmark scenarios, writes benchmarks/results/<scenario>.json and benchmarks/RESULTS.md
(from every results/*.json present, so a partial run keeps the other scenarios' latest figures).

Options:
  --quick                 a short run: 3 s windows, 1 s warm-up, 1 repetition
  --scenario <ids>        comma-separated, repeatable: ${SCENARIOS.map((s) => s.id).join(", ")} (default: all)
  --duration <s>          measured window per cell (default 20; quick 3)
  --warmup <s>            warm-up before each window (default 5; quick 1)
  --reps <n>              repetitions, systems alternating (default 3; quick 1)
  --payload <bytes>       echo message size (default 256)
  --calls-per-session <n> reopen a session after n calls (default 0: one session per client)
  --profile               run every gateway under node --cpu-prof (results/profiles/)
  --list                  list the scenarios and exit
  -h, --help              this text`;

function positive(value: string | undefined, fallback: number, name: string, min = 1): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} must be a number >= ${min}`);
  return parsed;
}

function parseSettings(
  argv: string[],
): { settings: BenchSettings; scenarios: Scenario[]; profile: boolean } | undefined {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: {
      quick: { type: "boolean", default: false },
      scenario: { type: "string", multiple: true },
      duration: { type: "string" },
      warmup: { type: "string" },
      reps: { type: "string" },
      payload: { type: "string" },
      "calls-per-session": { type: "string" },
      profile: { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  if (values.list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.id.padEnd(12)} ${s.title}\n`);
    return undefined;
  }
  const quick = values.quick;
  const wanted = (values.scenario ?? [])
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(", ")} (see --list)`);
  return {
    settings: {
      durationMs: positive(values.duration, quick ? 3 : 20, "duration", 0.5) * 1000,
      warmupMs: positive(values.warmup, quick ? 1 : 5, "warmup", 0) * 1000,
      reps: Math.floor(positive(values.reps, quick ? 1 : 3, "reps")),
      payloadBytes: Math.floor(positive(values.payload, 256, "payload", 16)),
      callsPerSession: Math.floor(positive(values["calls-per-session"], 0, "calls-per-session", 0)),
      quick,
    },
    scenarios: wanted.length === 0 ? [...SCENARIOS] : SCENARIOS.filter((s) => wanted.includes(s.id)),
    profile: values.profile,
  };
}

function readResults(dir: string): ScenarioResult[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => JSON.parse(readFileSync(join(dir, file), "utf8")) as ScenarioResult)
    .filter((result) => SCENARIOS.some((s) => s.id === result.id));
}

async function main(): Promise<void> {
  const parsed = parseSettings(process.argv.slice(2));
  if (parsed === undefined) return;
  const missing = Object.values(WORKSPACE_CLIS).filter((path) => !existsSync(path));
  if (missing.length > 0) throw new Error(`not built: ${missing.join(", ")} (run pnpm build)`);
  installProcessCleanup();
  const resultsDir = join(BENCH_DIR, "results");
  mkdirSync(resultsDir, { recursive: true });
  if (parsed.profile) {
    const dir = join(resultsDir, "profiles", new Date().toISOString().replaceAll(":", "-"));
    mkdirSync(dir, { recursive: true });
    profileGateways(dir);
    progress(`gateway CPU profiles: ${dir}`);
  }
  const { settings } = parsed;
  progress(
    `${parsed.scenarios.map((s) => s.id).join(", ")}: ${settings.durationMs / 1000} s windows after ` +
      `${settings.warmupMs / 1000} s warm-up, ${settings.reps} repetition(s), ${settings.payloadBytes} B payloads`,
  );
  for (const scenario of parsed.scenarios) {
    progress(`== ${scenario.title}`);
    const result = await scenario.run(settings);
    writeFileSync(join(resultsDir, `${scenario.id}.json`), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(
      join(BENCH_DIR, "RESULTS.md"),
      resultsMarkdown(readResults(resultsDir), peerDescriptions()),
    );
  }
  progress(`wrote ${join(BENCH_DIR, "RESULTS.md")}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
