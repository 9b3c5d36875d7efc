import { stopAllProcesses } from "@contextforge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayFixture, startGatewayFixture } from "./gateway-fixture.js";

let fixture: GatewayFixture;

beforeAll(async () => {
  fixture = await startGatewayFixture();
});

afterAll(async () => {
  await fixture?.gateway.stop();
  await stopAllProcesses();
});

async function rpc(
  body: unknown,
  token: string | undefined = fixture.token,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${fixture.base}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

describe("POST /rpc", () => {
  it("lists and calls the tools of a virtual server (params.server_id), one request, one response", async () => {
    const list = await rpc({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/list",
      params: { server_id: fixture.serverId },
    });
    expect(list.status).toBe(200);
    const names = (list.json as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["everything-echo", "everything-slow"]));
    const call = await rpc({
      jsonrpc: "2.0",
      id: "a",
      method: "tools/call",
      params: { server_id: fixture.serverId, name: "everything-echo", arguments: { message: "over rpc" } },
    });
    expect(call.json).toEqual({
      jsonrpc: "2.0",
      id: "a",
      result: { content: [{ type: "text", text: "over rpc" }] },
    });
  });

  it("answers with JSON-RPC error objects", async () => {
    expect((await rpc("{broken")).json).toMatchObject({ error: { code: -32700 } });
    expect((await rpc([{ jsonrpc: "2.0", id: 1, method: "ping" }])).json).toMatchObject({
      error: { code: -32600 },
    });
    expect((await rpc({ jsonrpc: "2.0", id: 2, method: "no/such" })).json).toMatchObject({
      id: 2,
      error: { code: -32601 },
    });
    const unknownTool = await rpc({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "nope" } });
    expect(unknownTool.json).toMatchObject({ id: 3, error: { code: -32602, message: "Unknown tool: nope" } });
    const unknownServer = await rpc({
      jsonrpc: "2.0",
      id: 4,
      method: "tools/list",
      params: { server_id: "nope" },
    });
    expect(unknownServer.json).toMatchObject({ id: 4, error: { code: -32602 } });
    expect((await rpc({ jsonrpc: "2.0", id: 5, method: "ping" })).json).toEqual({
      jsonrpc: "2.0",
      id: 5,
      result: {},
    });
    expect((await rpc({ jsonrpc: "2.0", method: "notifications/initialized" })).status).toBe(202);
  });

  it("needs the same credentials as the rest of the API", async () => {
    expect((await rpc({ jsonrpc: "2.0", id: 1, method: "ping" }, "")).status).toBe(401);
  });
});
