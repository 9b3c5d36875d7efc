import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { connectClient } from "../mcp/mcp-client.js";

// The "done when", as a new user would do it, over HTTP only: the admin logs in, creates
// a user for each of two teams; each user logs in, creates its team, registers a private upstream
// and a team virtual server, and creates an API token. Each token lists and calls only its own
// team's tools over /mcp and /rpc; public items appear for both; a revoked token is locked out.

const require = createRequire(import.meta.url);
const SECRET = "team-isolation-secret-team-isolation-secret";
const ADMIN_PASSWORD = "Bootstrap-Admin-Passw0rd!";

let gateway: Gateway;
let base: string;
let upstreamUrl: string;
const clients: { close(): Promise<void> }[] = [];

async function call(
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function ok(token: string | undefined, method: string, path: string, body?: unknown) {
  const answer = await call(token, method, path, body);
  if (answer.status >= 300)
    throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function login(email: string, password: string): Promise<string> {
  const answer = await ok(undefined, "POST", "/auth/email/login", { email, password });
  return answer.access_token as string;
}

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
  gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      AUTH_ENCRYPTION_SECRET: SECRET,
      PLATFORM_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ARGON2ID_MEMORY_COST: "8192",
      ARGON2ID_TIME_COST: "1",
    }),
  });
  base = (await gateway.start()).url;
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await gateway?.stop();
  await stopAllProcesses();
});

interface Member {
  readonly email: string;
  readonly slug: string;
  session: string;
  teamId: string;
  serverId: string;
  apiToken: string;
  tokenId: string;
}

describe("two teams, tried as a new user would", () => {
  const members: Member[] = [
    {
      email: "ann@team-red.example",
      slug: "red",
      session: "",
      teamId: "",
      serverId: "",
      apiToken: "",
      tokenId: "",
    },
    {
      email: "ben@team-blue.example",
      slug: "blue",
      session: "",
      teamId: "",
      serverId: "",
      apiToken: "",
      tokenId: "",
    },
  ];
  let admin: string;

  it("the admin logs in, registers a public upstream and creates one user per team", async () => {
    admin = await login("admin@example.com", ADMIN_PASSWORD);
    await ok(admin, "POST", "/gateways", { name: "shared", url: upstreamUrl, visibility: "public" });
    for (const member of members) {
      await ok(admin, "POST", "/auth/email/admin/users", {
        email: member.email,
        password: `Correct-Horse-${member.slug}-9`,
        full_name: member.slug,
      });
    }
  });

  it("each user logs in, creates its team, a private upstream, a team virtual server and an API token", async () => {
    for (const member of members) {
      member.session = await login(member.email, `Correct-Horse-${member.slug}-9`);
      const team = await ok(member.session, "POST", "/teams", { name: `team ${member.slug}` });
      member.teamId = team.id as string;
      // The team's token must see the new membership: sessions resolve it on each request.
      const upstream = await ok(member.session, "POST", "/gateways", {
        name: member.slug,
        url: upstreamUrl,
        visibility: "team",
        team_id: member.teamId,
      });
      const tools = (await call(member.session, "GET", `/tools?gateway_id=${upstream.id}`))
        .body as unknown as {
        id: string;
        name: string;
      }[];
      const echo = tools.find((t) => t.name === `${member.slug}-echo`);
      expect(echo, `${member.slug}-echo`).toBeDefined();
      const server = await ok(member.session, "POST", "/servers", {
        server: {
          name: `${member.slug} tools`,
          associated_tools: [echo?.id],
          visibility: "team",
          team_id: member.teamId,
        },
      });
      member.serverId = server.id as string;
      const created = await ok(member.session, "POST", "/tokens", {
        name: `${member.slug} agent`,
        expires_in_days: 1,
        team_id: member.teamId,
      });
      member.apiToken = created.access_token as string;
      member.tokenId = (created.token as { id: string }).id;
    }
  });

  it("each token lists and calls only its own team's tools, and the public ones, over /mcp and /rpc", async () => {
    for (const [mine, theirs] of [
      [members[0], members[1]],
      [members[1], members[0]],
    ] as [Member, Member][]) {
      const client = await connectClient(`${base}/mcp`, mine.apiToken, "2025");
      clients.push(client);
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain(`${mine.slug}-echo`);
      expect(names).toContain("shared-echo");
      expect(names.some((n) => n.startsWith(`${theirs.slug}-`))).toBe(false);
      const echo = await client.callTool({ name: `${mine.slug}-echo`, arguments: { message: mine.slug } });
      expect(echo.content).toEqual([{ type: "text", text: mine.slug }]);
      await expect(
        client.callTool({ name: `${theirs.slug}-echo`, arguments: { message: "x" } }),
      ).rejects.toThrow(/Unknown tool/);

      const rpc = await ok(mine.apiToken, "POST", "/rpc", {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: `${theirs.slug}-echo`, arguments: { message: "x" } },
      });
      expect((rpc.error as { code: number }).code).toBe(-32602);
      const shared = await ok(mine.apiToken, "POST", "/rpc", {
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "shared-echo", arguments: { message: "public" } },
      });
      expect(shared.result).toMatchObject({ content: [{ type: "text", text: "public" }] });
      // The other team's virtual server does not exist for this token.
      expect((await call(mine.apiToken, "POST", `/servers/${theirs.serverId}/mcp`, {})).status).toBe(404);
    }
  });

  it("revoking a token locks it out at once, open WebSocket sessions included", async () => {
    const [ann] = members as [Member, Member];
    expect((await call(ann.apiToken, "GET", "/tools")).status).toBe(200);
    const ws = new V1Client({ name: "ws", version: "1" });
    let closed = false;
    ws.onclose = () => {
      closed = true;
    };
    await ws.connect(
      new WebSocketClientTransport(new URL(`${base.replace(/^http/, "ws")}/ws?token=${ann.apiToken}`)),
    );
    clients.push(ws);
    expect((await ws.listTools()).tools.map((t) => t.name)).toContain("red-echo");
    await ok(ann.session, "DELETE", `/tokens/${ann.tokenId}`);
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 2_000 });
    expect((await call(ann.apiToken, "GET", "/tools")).status).toBe(401);
    const rpc = await call(ann.apiToken, "POST", "/rpc", { jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect(rpc.status).toBe(401);
  });

  it("logging out ends a session token", async () => {
    const [, ben] = members as [Member, Member];
    expect((await call(ben.session, "GET", "/auth/email/me")).status).toBe(200);
    await ok(ben.session, "POST", "/auth/logout");
    expect((await call(ben.session, "GET", "/auth/email/me")).status).toBe(401);
  });
});
