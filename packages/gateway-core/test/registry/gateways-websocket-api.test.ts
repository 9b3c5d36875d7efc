import { randomUUID } from "node:crypto";
import { getFreePort, stopAllProcesses } from "@contextforge/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { countRows } from "../../src/registry/shared/entity-table.js";
import { describeEachDialect } from "../support/dialect-matrix.js";
import { createTestGateway, type TestGateway } from "../support/test-gateway.js";
import {
  type AuthenticatingRelay,
  startAuthenticatingRelay,
  startWebSocketUpstream,
  type WebSocketUpstream,
} from "../upstream/websocket-upstream-process.js";

type Json = Record<string, unknown> & { id: string; name: string };
interface Problem {
  detail: string;
  code: string;
  issues?: { loc: string[]; msg: string }[];
}

const marker = `cf-ws-registry-${randomUUID()}`;
let upstream: WebSocketUpstream;
let relay: AuthenticatingRelay;
beforeAll(async () => {
  upstream = await startWebSocketUpstream(marker);
  relay = await startAuthenticatingRelay(upstream.url, "Bearer ws-upstream-token");
});
afterAll(async () => {
  await relay?.close();
  await stopAllProcesses();
});

await describeEachDialect("REST API /gateways over WebSocket", (dialect: DialectName) => {
  let t: TestGateway;
  let created: Json;
  beforeAll(async () => {
    t = await createTestGateway(dialect, "gateways-ws");
  });
  afterAll(() => t?.close());

  it("registers a WebSocket server (transport alias WS) and discovers its tools", async () => {
    const answer = await t.json<Json>("POST", "/gateways", {
      name: "ev-ws",
      url: upstream.url,
      transport: "ws",
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    created = answer.body;
    expect(created).toMatchObject({
      slug: "ev-ws",
      url: upstream.url,
      transport: "WEBSOCKET",
      reachable: true,
      protocolVersion: expect.stringMatching(/^2025-/),
    });
    const tools = await t.json<Json[]>("GET", `/tools?gateway_id=${created.id}`);
    expect(tools.body.map((tool) => tool.name)).toContain("ev-ws-echo");
    expect(tools.body[0]).toMatchObject({ gatewaySlug: "ev-ws", requestType: "WEBSOCKET" });
    const refreshed = await t.json<Json>("POST", `/gateways/${created.id}/tools/refresh`);
    expect(refreshed.body).toMatchObject({ success: true, toolsAdded: 0, toolsRemoved: 0 });
  });

  it("sends the gateway's credentials on the WebSocket handshake: wrong ones are 422, right ones work", async () => {
    const before = relay.seen.length;
    const wrong = await t.json<Problem>("POST", "/gateways", {
      name: "ev-ws-auth",
      url: relay.url,
      transport: "WEBSOCKET",
      auth_type: "bearer",
      auth_token: "wrong",
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail).toContain("rejected the gateway's credentials (HTTP 401)");
    expect(wrong.body.detail).not.toContain("wrong");
    const right = await t.json<Json>("POST", "/gateways", {
      name: "ev-ws-auth",
      url: relay.url,
      transport: "WEBSOCKET",
      auth_type: "bearer",
      auth_token: "ws-upstream-token",
    });
    expect(right.status, JSON.stringify(right.body)).toBe(200);
    expect(right.body).toMatchObject({ transport: "WEBSOCKET", authType: "bearer", authValue: "*****" });
    expect(relay.seen.slice(before)).toEqual(["Bearer wrong", "Bearer ws-upstream-token"]);
  });

  it("refuses a URL that does not suit the transport with 422, storing nothing", async () => {
    const before = await countRows(t.gateway.database.db, "gateways");
    const cases: [unknown, string][] = [
      [{ name: "ws-http", transport: "WEBSOCKET", url: "http://127.0.0.1:1/ws" }, "a ws:// or wss:// URL"],
      [{ name: "ws-none", transport: "WS" }, "required when transport is WEBSOCKET"],
      [{ name: "http-ws", url: "ws://127.0.0.1:1/mcp" }, "needs transport WEBSOCKET"],
      [{ name: "sse-wss", transport: "SSE", url: "wss://127.0.0.1:1/sse" }, "an http:// or https:// URL"],
      [
        { name: "ftp", transport: "WEBSOCKET", url: "ftp://127.0.0.1/ws" },
        "must be an http(s):// or ws(s):// URL",
      ],
      [{ name: "ws-cmd", transport: "WEBSOCKET", url: upstream.url, command: "node" }, "only allowed when"],
      [
        { name: "bogus", transport: "CARRIER_PIGEON", url: upstream.url },
        "SSE, STREAMABLEHTTP, WEBSOCKET or STDIO",
      ],
    ];
    for (const [body, message] of cases) {
      const answer = await t.json<Problem>("POST", "/gateways", body);
      expect(answer.status, JSON.stringify(body)).toBe(422);
      expect(JSON.stringify(answer.body), JSON.stringify(body)).toContain(message);
    }
    // An update is checked against what is stored: the URL sent, or the one kept.
    const toHttp = await t.json<Problem>("PUT", `/gateways/${created.id}`, { url: "http://127.0.0.1:1/mcp" });
    expect(toHttp.status).toBe(422);
    expect(JSON.stringify(toHttp.body)).toContain("a ws:// or wss:// URL when transport is WEBSOCKET");
    const keepsWsUrl = await t.json<Problem>("PUT", `/gateways/${created.id}`, {
      transport: "STREAMABLEHTTP",
    });
    expect(keepsWsUrl.status).toBe(422);
    expect(JSON.stringify(keepsWsUrl.body)).toContain("needs transport WEBSOCKET");
    expect(await countRows(t.gateway.database.db, "gateways")).toBe(before);
    expect((await t.json<Json>("GET", `/gateways/${created.id}`)).body.transport).toBe("WEBSOCKET");
  });

  it("answers 502 for a WebSocket upstream that cannot be reached, storing nothing", async () => {
    const before = await countRows(t.gateway.database.db, "gateways");
    const port = await getFreePort();
    const down = await t.json<Problem>("POST", "/gateways", {
      name: "ws-down",
      url: `ws://127.0.0.1:${port}/ws`,
      transport: "WEBSOCKET",
    });
    expect(down.status).toBe(502);
    expect(down.body.code).toBe("bad_gateway");
    expect(down.body.detail).toContain(`cannot reach upstream ws://127.0.0.1:${port}/ws (ECONNREFUSED)`);
    expect(await countRows(t.gateway.database.db, "gateways")).toBe(before);
  });
});
