import { ProtocolError } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import type { ListPage } from "../list-pages.js";
import { DirectCalls } from "./direct-calls.js";

type Json = Record<string, unknown>;

function calls(list: (kind: string, cursor: string | undefined) => Promise<ListPage>): DirectCalls {
  return new DirectCalls({
    callTool: async () => ({ content: [] }),
    notify: () => {},
    list,
  });
}

const post = (headers: Record<string, string> = {}) =>
  new Request("http://localhost/mcp", {
    method: "POST",
    headers: {
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      "mcp-protocol-version": "2025-11-25",
      ...headers,
    },
  });

const listRequest = (params?: Json) => ({
  jsonrpc: "2.0",
  id: 4,
  method: "tools/list",
  ...(params === undefined ? {} : { params }),
});

describe("DirectCalls lists", () => {
  const direct = calls(async () => ({ items: [] }));

  it("takes plain list requests only", () => {
    expect(direct.acceptsList(post(), listRequest())).toBe(true);
    expect(direct.acceptsList(post(), listRequest({ cursor: "abc" }))).toBe(true);
    expect(direct.acceptsList(undefined, { ...listRequest(), method: "prompts/list" })).toBe(true);
    expect(direct.acceptsList(post(), listRequest({ cursor: 5 }))).toBe(false);
    expect(direct.acceptsList(post(), listRequest({ _meta: { progressToken: 1 } }))).toBe(false);
    expect(direct.acceptsList(post(), listRequest({ other: true }))).toBe(false);
    expect(direct.acceptsList(post(), { ...listRequest(), method: "tools/call" })).toBe(false);
    expect(direct.acceptsList(post({ accept: "application/json" }), listRequest())).toBe(false);
    expect(direct.acceptsList(post({ "mcp-protocol-version": "1999-01-01" }), listRequest())).toBe(false);
  });

  it("answers a page, its cursor and _meta as the SDK would serialize them", async () => {
    const items = [{ name: "a", inputSchema: { type: "object" }, outputSchema: { type: "object" } }];
    const page: ListPage = { items, nextCursor: "next", meta: { "io.example/id": "x" } };
    const answer = await calls(async () => page).listAnswer(listRequest() as never);
    expect(JSON.parse(answer ?? "")).toEqual({
      jsonrpc: "2.0",
      id: 4,
      result: { tools: items, nextCursor: "next", _meta: { "io.example/id": "x" } },
    });
  });

  it("leaves to the SDK a tool list its 2025 codec rewrites (an output schema not of type object)", async () => {
    for (const outputSchema of [{ type: "string" }, { anyOf: [{ type: "object" }] }]) {
      const items = [{ name: "a", inputSchema: { type: "object" }, outputSchema }];
      expect(await calls(async () => ({ items })).listAnswer(listRequest() as never)).toBeUndefined();
    }
    const prompts = calls(async () => ({ items: [{ name: "p", outputSchema: { type: "string" } }] }));
    expect(await prompts.listAnswer({ ...listRequest(), method: "prompts/list" } as never)).toContain(
      '"prompts"',
    );
  });

  it("answers a failing list with the error the SDK server would send", async () => {
    const cases: [unknown, number, string][] = [
      [new ProtocolError(-32602, "Invalid cursor: forged"), -32602, "Invalid cursor: forged"],
      [new ProtocolError(-32002, "not found"), -32602, "not found"],
      [new Error("boom"), -32603, "boom"],
    ];
    for (const [error, code, message] of cases) {
      const answer = await calls(async () => {
        throw error;
      }).listAnswer(listRequest({ cursor: "c" }) as never);
      expect(JSON.parse(answer ?? "")).toEqual({ jsonrpc: "2.0", id: 4, error: { code, message } });
    }
  });
});
