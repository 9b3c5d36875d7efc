import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { type ManagedProcess, startProcess, stopAllProcesses } from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient } from "./mcp/mcp-client.js";
import { addMember, seedTeam, seedUser } from "./support/auth-fixtures.js";
import { eventually, everythingStdioArgs, pidsWith } from "./support/stdio-processes.js";
import { createTestGateway, type TestGateway } from "./support/test-gateway.js";

// The built CLI of the sibling package, by path: gateway-core never depends on the reverse proxy.
const PROXY_CLI = fileURLToPath(new URL("../../reverse-proxy/dist/cli.js", import.meta.url));
const ADMIN = "admin@example.com";
const ALICE = "alice@example.com"; // owns the proxy's gateway, in team A
const CAROL = "carol@example.com"; // a viewer in team A
const BOB = "bob@example.com"; // team B only
const marker = `cf-reverse-admin-${randomUUID()}`;

let t: TestGateway;
let base: string;
let teamA: string;
const tokens = new Map<string, string>();
const clients: Client[] = [];

interface SessionView {
  session_id: string;
  gateway_id: string;
  gateway_name: string;
  name: string;
  slug: string;
  url: string;
  enabled: boolean;
  reachable: boolean;
  connected_at: string;
  registered_at: string;
  last_seen: string;
  remote_address: string | null;
  user_agent: string | null;
  registered_by: string;
  open_sessions: number;
  frames_sent: number;
  frames_received: number;
}

async function tokenOf(email: string): Promise<string> {
  let token = tokens.get(email);
  if (token === undefined) {
    token = await t.gateway.mintToken(email, 30);
    tokens.set(email, token);
  }
  return token;
}

async function api<T>(
  as: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (as !== undefined) headers.authorization = `Bearer ${await tokenOf(as)}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const sessionsAs = async (email: string): Promise<SessionView[]> => {
  const { status, body } = await api<SessionView[]>(email, "GET", "/reverse-proxy/sessions");
  expect(status).toBe(200);
  return body;
};

async function startProxy(name: string, reconnectDelaySeconds: number): Promise<ManagedProcess> {
  const local = [process.execPath, ...everythingStdioArgs(marker)].map((word) => `'${word}'`).join(" ");
  return startProcess(process.execPath, [
    PROXY_CLI,
    "--local-stdio",
    local,
    "--gateway",
    base,
    "--token",
    await tokenOf(ALICE),
    "--name",
    name,
    "--reconnect-delay",
    String(reconnectDelaySeconds),
    "--heartbeat",
    "1",
    "--log-level",
    "debug",
  ]);
}

/** Waits until the proxy has registered `times` times (it registers again after each reconnection). */
async function registrations(proxy: ManagedProcess, times: number): Promise<void> {
  const count = (): number => proxy.output().stderr.match(/registered as /g)?.length ?? 0;
  if (!(await eventually(() => count() >= times, 20_000)))
    throw new Error(`registered ${count()} times, not ${times}:\n${proxy.output().stderr}`);
}

/** Polls the caller's session list until `probe` accepts it. */
async function sessionsUntil(
  email: string,
  probe: (sessions: SessionView[]) => boolean,
): Promise<SessionView[]> {
  const end = Date.now() + 10_000;
  for (;;) {
    const sessions = await sessionsAs(email);
    if (probe(sessions)) return sessions;
    if (Date.now() > end) throw new Error(`sessions never matched: ${JSON.stringify(sessions)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The caller's session of the proxy registered as `slug`, once it is listed. */
async function sessionNamed(email: string, slug: string, other?: string): Promise<SessionView> {
  const matches = (s: SessionView): boolean => s.slug === slug && s.session_id !== other;
  const found = (await sessionsUntil(email, (sessions) => sessions.some(matches))).find(matches);
  if (found === undefined) throw new Error(`no session of ${slug}`);
  return found;
}

const toolNames = async (client: Client): Promise<string[]> =>
  (await client.listTools()).tools.map((tool) => tool.name);

const textOf = (result: { content?: unknown }): string =>
  (result.content as { text?: string }[] | undefined)?.[0]?.text ?? "";

beforeAll(async () => {
  t = await createTestGateway("sqlite", "reverse-proxy-admin", {
    PORT: "0",
    HEALTH_CHECK_INTERVAL: "0",
    MCPGATEWAY_REVERSE_PROXY_ENABLED: "true",
  });
  base = (await t.gateway.start()).url;
  const db = t.gateway.database.db;
  for (const email of [ALICE, BOB, CAROL]) await seedUser(db, email);
  teamA = await seedTeam(db, "team-a", ALICE);
  await addMember(db, teamA, CAROL, "viewer");
  await seedTeam(db, "team-b", BOB);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await stopAllProcesses();
  await t?.close();
});

describe("GET and DELETE /reverse-proxy/sessions", () => {
  it("lists a connected proxy to whoever may see its gateway, and closes it on request; the proxy comes back", async () => {
    const proxy = await startProxy("team-tools", 1);
    await registrations(proxy, 1);
    const first = await sessionNamed(ADMIN, "team-tools");
    expect(first).toMatchObject({
      name: "team-tools",
      gateway_name: "team-tools",
      slug: "team-tools",
      url: "reverse://team-tools",
      enabled: true,
      reachable: true,
      registered_by: ALICE,
      remote_address: "127.0.0.1",
    });
    expect(first.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(first.connected_at ?? "")).toBeLessThanOrEqual(Date.parse(first.last_seen ?? ""));
    expect(first.frames_received).toBeGreaterThan(0);
    const gatewayId = first.gateway_id ?? "";

    // The gateway is made team-visible: team A sees the tunnel, team B does not.
    const moved = await api(ALICE, "PUT", `/gateways/${gatewayId}`, { visibility: "team", team_id: teamA });
    expect(moved.status).toBe(200);
    expect((await sessionsAs(ALICE)).map((s) => s.session_id)).toEqual([first.session_id]);
    expect((await sessionsAs(CAROL)).map((s) => s.session_id)).toEqual([first.session_id]);
    expect(await sessionsAs(BOB)).toEqual([]);
    // Existence is not revealed to team B; a viewer sees it but may not close it.
    const hidden = await api<{ code: string }>(BOB, "DELETE", `/reverse-proxy/sessions/${first.session_id}`);
    expect(hidden).toMatchObject({ status: 404, body: { code: "not_found" } });
    const viewer = await api<{ code: string }>(
      CAROL,
      "DELETE",
      `/reverse-proxy/sessions/${first.session_id}`,
    );
    expect(viewer).toMatchObject({ status: 403, body: { code: "forbidden" } });

    const client = await connectClient(`${base}/mcp`, await tokenOf(ALICE), "2025");
    clients.push(client);
    expect(await toolNames(client)).toContain("team-tools-echo");

    // The owner closes it: the gateway is unreachable (its tools hidden) when the answer arrives.
    const closed = await api<{ status: string }>(
      ALICE,
      "DELETE",
      `/reverse-proxy/sessions/${first.session_id}`,
    );
    expect(closed).toMatchObject({ status: 200, body: { status: "success" } });
    expect((await api<{ reachable: boolean }>(ALICE, "GET", `/gateways/${gatewayId}`)).body.reachable).toBe(
      false,
    );
    expect(await toolNames(client)).not.toContain("team-tools-echo");
    expect((await sessionsAs(ADMIN)).map((s) => s.session_id)).not.toContain(first.session_id);
    expect(proxy.output().stderr).toMatch(/tunnel closed \(4002 closed by an administrator\)/);

    // Not fatal: the proxy reconnects, under a new session id, and the tools come back.
    await registrations(proxy, 2);
    const second = await sessionNamed(ALICE, "team-tools", first.session_id);
    expect(second.session_id).not.toBe(first.session_id);
    expect(second.gateway_id).toBe(gatewayId);
    expect(await toolNames(client)).toContain("team-tools-echo");
    const echo = await client.callTool({ name: "team-tools-echo", arguments: { message: "back" } });
    expect(textOf(echo)).toBe("back");
    expect(proxy.child.exitCode).toBeNull();
    await proxy.stop();
  }, 90_000);

  it("keeps the tunnel of a disabled gateway and hides its tools until it is enabled again", async () => {
    const proxy = await startProxy("switchable", 0.2);
    await registrations(proxy, 1);
    const session = await sessionNamed(ADMIN, "switchable");
    const gatewayId = session.gateway_id ?? "";
    const client = await connectClient(`${base}/mcp`, await tokenOf(ADMIN), "2025");
    clients.push(client);
    expect(await toolNames(client)).toContain("switchable-echo");

    const off = await api(ADMIN, "POST", `/gateways/${gatewayId}/toggle?activate=false`);
    expect(off.status).toBe(200);
    expect(await toolNames(client)).not.toContain("switchable-echo");
    const refused = await client
      .callTool({ name: "switchable-echo", arguments: { message: "while off" } })
      .then(
        (result) => (result.isError ? textOf(result) : "answered"),
        (error: unknown) => String(error),
      );
    expect(refused).not.toBe("answered");
    const still = await sessionsAs(ADMIN);
    expect(still.find((s) => s.session_id === session.session_id)).toMatchObject({
      enabled: false,
      reachable: true,
    });
    expect(proxy.output().stderr).not.toMatch(/tunnel closed/);

    const on = await api(ADMIN, "POST", `/gateways/${gatewayId}/state?activate=true`);
    expect(on.status).toBe(200);
    expect(await toolNames(client)).toContain("switchable-echo");
    const echo = await client.callTool({ name: "switchable-echo", arguments: { message: "on again" } });
    expect(textOf(echo)).toBe("on again");
    expect((await sessionsAs(ADMIN)).map((s) => s.session_id)).toContain(session.session_id);
    await proxy.stop();
  }, 60_000);

  it("closes the tunnel of a deleted gateway with 4410, and the proxy stops instead of re-registering", async () => {
    const proxy = await startProxy("short-lived", 0.2);
    await registrations(proxy, 1);
    const session = await sessionNamed(ADMIN, "short-lived");
    const deleted = await api(ALICE, "DELETE", `/gateways/${session.gateway_id}`);
    expect(deleted.status).toBe(200);

    expect(await proxy.exited()).toBe(1);
    expect(proxy.output().stderr).toMatch(/4410/);
    expect(proxy.output().stderr).toMatch(/the gateway was deleted/);
    expect((await sessionsAs(ADMIN)).some((s) => s.slug === "short-lived")).toBe(false);
    const gateways = await api<{ slug: string }[]>(ADMIN, "GET", "/gateways");
    expect(gateways.body.some((row) => row.slug === "short-lived")).toBe(false);
    expect(await eventually(() => pidsWith(marker).length === 0, 10_000)).toBe(true);
  }, 60_000);

  it("answers 404 with a JSON body for unknown ids and paths", async () => {
    for (const id of ["nope", randomUUID(), "%20"]) {
      const { status, body } = await api<{ code: string; detail: string }>(
        ADMIN,
        "DELETE",
        `/reverse-proxy/sessions/${id}`,
      );
      expect(status, id).toBe(404);
      expect(body.code).toBe("not_found");
    }
    const unknown = await api<{ code: string }>(ADMIN, "GET", "/reverse-proxy/nothing");
    expect(unknown).toMatchObject({ status: 404, body: { code: "not_found" } });
  });

  it("needs credentials (401)", async () => {
    expect((await api(undefined, "GET", "/reverse-proxy/sessions")).status).toBe(401);
    expect((await api(undefined, "DELETE", `/reverse-proxy/sessions/${randomUUID()}`)).status).toBe(401);
  });

  it("is described in the OpenAPI document", async () => {
    const { body } = await api<{ paths: Record<string, Record<string, unknown>> }>(
      ADMIN,
      "GET",
      "/openapi.json",
    );
    expect(body.paths["/reverse-proxy/sessions"]?.get).toBeDefined();
    expect(body.paths["/reverse-proxy/sessions/{id}"]?.delete).toBeDefined();
  });
});

describe("MCPGATEWAY_REVERSE_PROXY_ENABLED off (the default)", () => {
  let off: TestGateway;
  beforeAll(async () => {
    off = await createTestGateway("sqlite", "reverse-proxy-off");
  }, 60_000);
  afterAll(() => off?.close());

  it("answers every /reverse-proxy/ path with 404 and a JSON body, with or without credentials", async () => {
    expect(off.gateway.settings.MCPGATEWAY_REVERSE_PROXY_ENABLED).toBe(false);
    const upgrade = { upgrade: "websocket", connection: "Upgrade" };
    for (const [method, path, headers] of [
      ["GET", "/reverse-proxy/ws", upgrade],
      ["GET", "/reverse-proxy/sessions", {}],
      ["DELETE", `/reverse-proxy/sessions/${randomUUID()}`, {}],
    ] as const) {
      const authorized = await off.request(method, path, undefined, headers);
      const anonymous = await off.gateway.app.request(path, { method, headers });
      for (const response of [authorized, anonymous]) {
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(await response.json()).toMatchObject({ code: "not_found" });
      }
    }
    const document = (await (await off.request("GET", "/openapi.json")).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths).filter((path) => path.startsWith("/reverse-proxy"))).toEqual([]);
  });
});
