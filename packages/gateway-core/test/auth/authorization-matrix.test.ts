import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { connectClient } from "../mcp/mcp-client.js";
import { addMember, seedTeam, seedUser } from "../support/auth-fixtures.js";
import { createTestDatabase, describeEachDialect, type TestDatabase } from "../support/dialect-matrix.js";

// One rule for list and call, on every edge: for each kind of caller, the REST API, /rpc,
// streamable HTTP (2025 and 2026), legacy SSE and WebSocket show exactly the expected items and
// allow exactly the expected calls. Four registrations of one upstream differ only in ownership:
// pub (public), ta (team A), tb (team B), priv (private to alice).

const require = createRequire(import.meta.url);
const SECRET = "authorization-matrix-secret-authorization-matrix";
const GATEWAYS = ["pub", "ta", "tb", "priv"] as const;
type Slug = (typeof GATEWAYS)[number];

/** Who calls, what it sees and which echo tools it may call. */
interface Caller {
  readonly name: string;
  readonly email: string | undefined;
  readonly sees: readonly Slug[];
  readonly calls: readonly Slug[];
  /** May create a tool in team A. */
  readonly createsInTeamA: boolean;
  /** May update these gateways' echo tool. */
  readonly updates: readonly Slug[];
}

const CALLERS: readonly Caller[] = [
  {
    name: "platform admin",
    email: "admin@example.com",
    sees: ["pub", "ta", "tb", "priv"],
    calls: ["pub", "ta", "tb", "priv"],
    createsInTeamA: true,
    updates: ["pub", "ta", "tb", "priv"],
  },
  {
    name: "team A owner",
    email: "alice@example.com",
    sees: ["pub", "ta", "priv"],
    calls: ["pub", "ta", "priv"],
    createsInTeamA: true,
    updates: ["ta", "priv"],
  },
  {
    name: "team A developer",
    email: "carol@example.com",
    sees: ["pub", "ta"],
    calls: ["pub", "ta"],
    createsInTeamA: true,
    updates: ["ta"],
  },
  {
    name: "team A viewer",
    email: "dave@example.com",
    sees: ["pub", "ta"],
    calls: ["pub"],
    createsInTeamA: false,
    updates: [],
  },
  {
    name: "team B owner",
    email: "bob@example.com",
    sees: ["pub", "tb"],
    calls: ["pub", "tb"],
    createsInTeamA: false,
    updates: ["tb"],
  },
  {
    name: "public-only API token of the team A owner",
    email: "alice@example.com",
    sees: ["pub"],
    calls: ["pub"],
    createsInTeamA: false,
    updates: [],
  },
  {
    name: "token of an unknown user",
    email: "stranger@example.com",
    sees: ["pub"],
    calls: ["pub"],
    createsInTeamA: false,
    updates: [],
  },
];

const echoName = (slug: Slug) => `${slug}-echo`;
const sorted = (names: Iterable<string>) => [...names].sort();

let upstreamUrl: string;

beforeAll(async () => {
  const port = await getFreePort();
  const bin = join(
    dirname(require.resolve("@contextforge/server-everything/package.json")),
    "dist",
    "cli.js",
  );
  await startProcess(process.execPath, [bin, "--transport", "http", "--port", String(port)], {
    readyPattern: /listening on/,
  });
  upstreamUrl = `http://127.0.0.1:${port}/mcp`;
});

afterAll(() => stopAllProcesses());

await describeEachDialect("authorization matrix", (dialect: DialectName) => {
  let database: TestDatabase;
  let gateway: Gateway;
  let base: string;
  let serverId: string;
  const toolIds = new Map<Slug, string>();
  const promptNames = new Map<Slug, string>();
  let teamA: string;
  const tokens = new Map<string, string>();
  const clients: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect, "authz-matrix");
    gateway = createGateway({
      settings: loadSettings({
        PORT: "0",
        LOG_LEVEL: "silent",
        DATABASE_URL: database.url,
        DB_POOL_SIZE: "4",
        DB_MAX_OVERFLOW: "0",
        JWT_SECRET_KEY: SECRET,
        AUTH_ENCRYPTION_SECRET: SECRET,
        ARGON2ID_MEMORY_COST: "8192",
        ARGON2ID_TIME_COST: "1",
      }),
    });
    base = (await gateway.start()).url;
    const db = gateway.database.db;
    for (const email of ["alice@example.com", "carol@example.com", "dave@example.com", "bob@example.com"]) {
      await seedUser(db, email);
    }
    teamA = await seedTeam(db, "team-a", "alice@example.com");
    await addMember(db, teamA, "carol@example.com", "member");
    await addMember(db, teamA, "dave@example.com", "viewer");
    const teamB = await seedTeam(db, "team-b", "bob@example.com");
    gateway.auth.changed();

    const ownership: Record<
      Slug,
      { visibility: "public" | "team" | "private"; team_id?: string; owner_email: string }
    > = {
      pub: { visibility: "public", owner_email: "admin@example.com" },
      ta: { visibility: "team", team_id: teamA, owner_email: "alice@example.com" },
      tb: { visibility: "team", team_id: teamB, owner_email: "bob@example.com" },
      priv: { visibility: "private", team_id: teamA, owner_email: "alice@example.com" },
    };
    for (const slug of GATEWAYS) {
      const created = await gateway.registry.gateways.create(
        { name: slug, url: upstreamUrl, transport: "STREAMABLEHTTP", tags: [], ...ownership[slug] },
        "admin@example.com",
      );
      const tools = await gateway.registry.tools.list({
        includeInactive: false,
        tags: [],
        limit: 500,
        cursor: undefined,
        includePagination: false,
        gatewayId: created.id,
        teamId: undefined,
        visibility: undefined,
      });
      const echo = tools.items.find((t) => t.name === echoName(slug));
      if (!echo) throw new Error(`no ${echoName(slug)}`);
      toolIds.set(slug, echo.id);
      const prompts = await gateway.registry.prompts.list({
        includeInactive: false,
        tags: [],
        limit: 500,
        cursor: undefined,
        includePagination: false,
        gatewayId: created.id,
        teamId: undefined,
        visibility: undefined,
      });
      // The prompt that needs no argument and answers at once (list order among equal timestamps is not fixed).
      const simple = prompts.items.find((p) => p.originalName === "test_simple_prompt");
      if (!simple) throw new Error(`no argument-free prompt of ${slug}`);
      promptNames.set(slug, simple.name);
    }
    // A public virtual server holding every echo tool: each caller sees only its share of it.
    const server = await gateway.registry.servers.create(
      {
        name: "all-echoes",
        tags: [],
        visibility: "public",
        owner_email: "admin@example.com",
        associated_tools: GATEWAYS.map((slug) => toolIds.get(slug) ?? ""),
        associated_resources: [],
        associated_prompts: [],
        associated_a2a_agents: [],
      },
      "admin@example.com",
    );
    serverId = server.id;
    for (const caller of CALLERS) {
      if (caller.email) tokens.set(caller.name, await gateway.mintToken(caller.email, 30));
    }
    // API tokens are made the way users make them: through the REST API, by a session of alice.
    const alice = tokens.get("team A owner") ?? "";
    tokens.set(
      "public-only API token of the team A owner",
      await apiToken(alice, { name: "pub", public_only: true }),
    );
    serverToken = await apiToken(alice, { name: "one-server", scope: { server_id: serverId } });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await gateway?.stop();
    await database?.drop();
  });

  let serverToken: string;

  async function apiToken(session: string, body: Record<string, unknown>): Promise<string> {
    const response = await fetch(`${base}/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${session}`, "content-type": "application/json" },
      body: JSON.stringify({ expires_in_days: 1, ...body }),
    });
    const created = (await response.json()) as { access_token?: string };
    if (response.status !== 201 || !created.access_token)
      throw new Error(`token: ${JSON.stringify(created)}`);
    return created.access_token;
  }

  const auth = (caller: Caller) => ({ authorization: `Bearer ${tokens.get(caller.name)}` });

  async function rest(caller: Caller, method: string, path: string, body?: unknown) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...auth(caller), "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  async function rpc(caller: Caller, method: string, params: Record<string, unknown>) {
    const { body } = await rest(caller, "POST", "/rpc", { jsonrpc: "2.0", id: 1, method, params });
    return body as { result?: Record<string, unknown>; error?: { code: number; message: string } };
  }

  const echoNames = (names: string[]) => sorted(names.filter((n) => n.endsWith("-echo")));
  const expectedEchoes = (caller: Caller) => sorted(caller.sees.map(echoName));

  it("refuses callers without credentials on every edge", async () => {
    for (const path of [
      "/tools",
      "/servers",
      "/gateways",
      "/rpc",
      "/mcp",
      `/servers/${serverId}/mcp`,
      "/sse",
    ]) {
      const response = await fetch(`${base}${path}`, { method: path === "/rpc" ? "POST" : "GET" });
      expect(response.status, path).toBe(401);
      await response.body?.cancel();
    }
  });

  for (const caller of CALLERS) {
    describe(caller.name, () => {
      it("lists exactly what it may see on the REST API", async () => {
        const tools = await rest(caller, "GET", "/tools?limit=0");
        expect(tools.status).toBe(200);
        expect(echoNames((tools.body as { name: string }[]).map((t) => t.name))).toEqual(
          expectedEchoes(caller),
        );
        const gateways = await rest(caller, "GET", "/gateways");
        expect(sorted((gateways.body as { name: string }[]).map((g) => g.name))).toEqual(sorted(caller.sees));
        const serverTools = await rest(caller, "GET", `/servers/${serverId}/tools`);
        expect(echoNames((serverTools.body as { name: string }[]).map((t) => t.name))).toEqual(
          expectedEchoes(caller),
        );
      });

      it("gets what it sees, 404 for the rest; updates only what it may", async () => {
        for (const slug of GATEWAYS) {
          const id = toolIds.get(slug);
          const got = await rest(caller, "GET", `/tools/${id}`);
          expect(got.status, `${slug} get`).toBe(caller.sees.includes(slug) ? 200 : 404);
          const put = await rest(caller, "PUT", `/tools/${id}`, { description: `by ${caller.name}` });
          const expected = caller.updates.includes(slug) ? 200 : caller.sees.includes(slug) ? 403 : 404;
          expect(put.status, `${slug} update`).toBe(expected);
        }
      });

      it("creates in team A only with a grant there", async () => {
        const created = await rest(caller, "POST", "/tools", {
          tool: {
            name: `made-by-${caller.email?.split("@")[0]}-${dialect}`,
            url: "http://127.0.0.1:9/never",
            integration_type: "REST",
            request_type: "GET",
            team_id: teamA,
            visibility: "team",
          },
        });
        expect(created.status, JSON.stringify(created.body)).toBe(caller.createsInTeamA ? 200 : 403);
      });

      it("lists and gets prompts over /rpc by the same rule", async () => {
        const listed = await rpc(caller, "prompts/list", {});
        const names = ((listed.result?.prompts ?? []) as { name: string }[]).map((p) => p.name);
        const slugs = new Set(names.map((n) => GATEWAYS.find((slug) => n.startsWith(`${slug}-`))));
        expect(sorted([...slugs].filter((x): x is Slug => x !== undefined))).toEqual(sorted(caller.sees));
        for (const slug of GATEWAYS) {
          const name = promptNames.get(slug) ?? "";
          const answer = await rpc(caller, "prompts/get", { name, arguments: {} });
          if (caller.sees.includes(slug)) expect(answer.result?.messages, name).toBeDefined();
          else expect(answer.error?.code, name).toBe(-32602);
        }
      });

      it("lists and calls the same items over /rpc", async () => {
        const listed = await rpc(caller, "tools/list", {});
        expect(echoNames(((listed.result?.tools ?? []) as { name: string }[]).map((t) => t.name))).toEqual(
          expectedEchoes(caller),
        );
        for (const slug of GATEWAYS) {
          const answer = await rpc(caller, "tools/call", {
            name: echoName(slug),
            arguments: { message: "hi" },
          });
          if (caller.calls.includes(slug))
            expect(answer.result?.content, slug).toEqual([{ type: "text", text: "hi" }]);
          else expect(answer.error?.code, slug).toBe(caller.sees.includes(slug) ? -32003 : -32602);
        }
      });

      it("lists and calls the same items over streamable HTTP, 2025 on /mcp and 2026 on the virtual server", async () => {
        for (const [path, era] of [
          ["/mcp", "2025"],
          [`/servers/${serverId}/mcp`, "2026"],
        ] as const) {
          const client = await connectClient(`${base}${path}`, tokens.get(caller.name), era);
          clients.push(client);
          const names = (await client.listTools()).tools.map((t) => t.name);
          expect(echoNames(names), `${path} list`).toEqual(expectedEchoes(caller));
          for (const slug of GATEWAYS) {
            const call = client.callTool({ name: echoName(slug), arguments: { message: "x" } });
            if (caller.calls.includes(slug)) await expect(call, `${path} ${slug}`).resolves.toBeDefined();
            else await expect(call, `${path} ${slug}`).rejects.toThrow();
          }
        }
      });

      it("lists the same items over legacy SSE and WebSocket", async () => {
        const sse = new V1Client({ name: "matrix-sse", version: "1" });
        const token = tokens.get(caller.name) ?? "";
        await sse.connect(
          new SSEClientTransport(new URL(`${base}/servers/${serverId}/sse`), {
            requestInit: { headers: { authorization: `Bearer ${token}` } },
          }),
        );
        clients.push(sse);
        expect(echoNames((await sse.listTools()).tools.map((t) => t.name))).toEqual(expectedEchoes(caller));

        const ws = new V1Client({ name: "matrix-ws", version: "1" });
        await ws.connect(
          new WebSocketClientTransport(new URL(`${base.replace(/^http/, "ws")}/ws?token=${token}`)),
        );
        clients.push(ws);
        expect(echoNames((await ws.listTools()).tools.map((t) => t.name))).toEqual(expectedEchoes(caller));
        for (const slug of GATEWAYS) {
          const call = ws.callTool({ name: echoName(slug), arguments: { message: "ws" } });
          if (caller.calls.includes(slug)) await expect(call, `ws ${slug}`).resolves.toBeDefined();
          else await expect(call, `ws ${slug}`).rejects.toThrow();
        }
      });
    });
  }

  it("confines a token bound to one virtual server to that server's MCP endpoints", async () => {
    const headers = { authorization: `Bearer ${serverToken}`, "content-type": "application/json" };
    for (const path of ["/tools", "/servers", "/gateways", `/servers/${serverId}/tools`, "/teams"]) {
      const response = await fetch(`${base}${path}`, { headers });
      expect(response.status, path).toBe(403);
      await response.body?.cancel();
    }
    const elsewhere = await fetch(`${base}/rpc`, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    // /rpc answers in JSON-RPC: an error object naming the server the token is bound to.
    expect(await elsewhere.json()).toMatchObject({ error: { message: expect.stringContaining(serverId) } });
    const client = await connectClient(`${base}/servers/${serverId}/mcp`, serverToken, "2025");
    clients.push(client);
    // On its server it acts as alice: her share of the server's tools.
    expect(echoNames((await client.listTools()).tools.map((t) => t.name))).toEqual(
      ["pub-echo", "priv-echo", "ta-echo"].sort(),
    );
    const global = fetch(`${base}/mcp`, {
      method: "POST",
      headers: { ...headers, accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
      }),
    });
    expect((await global).status).toBe(403);
  });

  it("runs no database query for auth or lists on the MCP hot path in the steady state", async () => {
    const carol = CALLERS.find((c) => c.email === "carol@example.com") as Caller;
    // Warm: the auth directory, the registry snapshot and the upstream session exist.
    await rpc(carol, "tools/list", {});
    await rpc(carol, "tools/call", { name: "ta-echo", arguments: { message: "warm" } });
    const before = gateway.database.queryCount;
    for (let i = 0; i < 5; i++) {
      await rpc(carol, "tools/list", {});
      await rpc(carol, "tools/call", { name: "ta-echo", arguments: { message: `n${i}` } });
    }
    expect(gateway.database.queryCount - before).toBe(0);
  });
});
