import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getFreePort, startProcess } from "@contextforge/testing";
import { pino } from "pino";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import type { ListQuery } from "../../src/registry/shared/list-query.js";

const require = createRequire(import.meta.url);

/** A registry list query for every active item (up to 500), unfiltered. */
export const EVERY_ACTIVE_ITEM: ListQuery = {
  includeInactive: false,
  tags: [],
  limit: 500,
  cursor: undefined,
  includePagination: false,
  gatewayId: undefined,
  teamId: undefined,
  visibility: undefined,
};

/** A running gateway with `servers/everything` registered and a virtual server of two of its tools. */
export interface GatewayFixture {
  readonly gateway: Gateway;
  readonly base: string;
  readonly token: string;
  /** The virtual server holding `everything-echo` and `everything-slow`. */
  readonly serverId: string;
  /** Every log line the gateway wrote (level debug). */
  readonly logs: string[];
}

/**
 * Starts `servers/everything` over HTTP and a gateway in front of it; `gateway.stop()` stops both
 * (the upstream process is not left behind).
 */
export async function startGatewayFixture(settings: Record<string, string> = {}): Promise<GatewayFixture> {
  const port = await getFreePort();
  const bin = join(
    dirname(require.resolve("@contextforge/server-everything/package.json")),
    "dist",
    "cli.js",
  );
  const upstream = await startProcess(
    process.execPath,
    [bin, "--transport", "http", "--port", String(port)],
    {
      readyPattern: /listening on/,
    },
  );
  const logs: string[] = [];
  const gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: "sse-websocket-test-secret-sse-websocket",
      AUTH_ENCRYPTION_SECRET: "sse-websocket-test-secret-sse-websocket",
      ...settings,
    }),
    logger: pino({ level: "debug" }, { write: (line: string) => void logs.push(line) }),
  });
  const stopGateway = gateway.stop.bind(gateway);
  gateway.stop = async () => {
    try {
      await stopGateway();
    } finally {
      await upstream.stop(1_000);
    }
  };
  const base = (await gateway.start()).url;
  const token = await gateway.mintToken("alice@example.com", 30);
  await gateway.registry.gateways.create({
    name: "everything",
    url: `http://127.0.0.1:${port}/mcp`,
    transport: "STREAMABLEHTTP",
    tags: [],
  });
  const tools = (await gateway.registry.tools.list(EVERY_ACTIVE_ITEM)).items;
  const pick = (name: string) => tools.find((t) => t.name === name)?.id ?? "";
  const server = await gateway.registry.servers.create({
    name: "echo-and-slow",
    tags: [],
    associated_tools: [pick("everything-echo"), pick("everything-slow")],
    associated_resources: [],
    associated_prompts: [],
    associated_a2a_agents: [],
  });
  return { gateway, base, token, serverId: server.id, logs };
}
