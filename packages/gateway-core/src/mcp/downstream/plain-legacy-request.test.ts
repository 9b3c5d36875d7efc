import { isLegacyRequest } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { isPlainLegacyRequest, isPlainModernRequest } from "./plain-legacy-request.js";

const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "c", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

const call = (extra: Record<string, unknown> = {}, params: unknown = { name: "echo", arguments: {} }) => ({
  jsonrpc: "2.0",
  id: 7,
  method: "tools/call",
  ...(params === undefined ? {} : { params }),
  ...extra,
});

/** Bodies the shortcut must recognise: what 2025 clients send on every call. */
const PLAIN: ReadonlyArray<readonly [string, unknown, string | null]> = [
  ["tools/call without header", call(), null],
  ["tools/call with a 2025 header", call(), "2025-11-25"],
  ["header with optional whitespace", call(), " 2025-06-18\t"],
  ["string id", { ...call(), id: "a-1" }, "2025-03-26"],
  ["no params", { jsonrpc: "2.0", id: 1, method: "tools/list" }, "2025-11-25"],
  ["string progress token", call({}, { name: "echo", _meta: { progressToken: "p" } }), "2025-11-25"],
  ["integer progress token", call({}, { name: "echo", _meta: { progressToken: 3 } }), "2025-11-25"],
  [
    "initialize",
    { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25" } },
    null,
  ],
];

/** Bodies left to the SDK (whatever it decides). */
const OTHER: ReadonlyArray<readonly [string, unknown, string | null]> = [
  ["2026 envelope", call({}, { name: "echo", _meta: ENVELOPE }), "2026-07-28"],
  ["2026 envelope without header", call({}, { name: "echo", _meta: ENVELOPE }), null],
  ["modern header without envelope", call(), "2026-07-28"],
  ["unknown future header", call(), "2027-01-01"],
  ["non-date header", call(), "draft"],
  ["batch", [call()], "2025-03-26"],
  ["response", { jsonrpc: "2.0", id: 3, result: {} }, "2025-11-25"],
  ["error response", { jsonrpc: "2.0", id: 3, error: { code: 1, message: "x" } }, "2025-11-25"],
  ["notification", { jsonrpc: "2.0", method: "notifications/initialized" }, "2025-11-25"],
  ["fractional id", { ...call(), id: 1.5 }, null],
  ["null id", { ...call(), id: null }, null],
  ["object id", { ...call(), id: {} }, null],
  ["wrong jsonrpc", { ...call(), jsonrpc: "1.0" }, null],
  ["numeric method", { ...call(), method: 5 }, null],
  ["array params", call({}, [1, 2]), null],
  ["extra member", call({ extra: true }), null],
  ["boolean progress token", call({}, { _meta: { progressToken: true } }), null],
  ["other meta key", call({}, { _meta: { "io.modelcontextprotocol/related-task": { taskId: "t" } } }), null],
  ["array meta", call({}, { _meta: [] }), null],
  ["not an object", "tools/call", null],
  ["null body", null, null],
];

function post(body: unknown, header: string | null): Request {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };
  if (header !== null) headers["mcp-protocol-version"] = header;
  return new Request("http://localhost/mcp", { method: "POST", headers, body: JSON.stringify(body) });
}

describe("isPlainLegacyRequest", () => {
  it.each(PLAIN)("recognises %s, as the SDK classifies it: 2025 era", async (_, body, header) => {
    expect(isPlainLegacyRequest("POST", header, body)).toBe(true);
    expect(await isLegacyRequest(post(body, header), body)).toBe(true);
  });

  it.each(OTHER)("leaves %s to the SDK", (_, body, header) => {
    expect(isPlainLegacyRequest("POST", header, body)).toBe(false);
  });

  it("never says 2025 where the SDK says otherwise", async () => {
    for (const [, body, header] of [...PLAIN, ...OTHER]) {
      if (isPlainLegacyRequest("POST", header, body))
        expect(await isLegacyRequest(post(body, header), body)).toBe(true);
    }
    // The modern requests really are modern for the SDK, so leaving them to it matters.
    expect(await isLegacyRequest(post(OTHER[0]?.[1], "2026-07-28"), OTHER[0]?.[1])).toBe(false);
  });

  it("classifies every GET and DELETE as the 2025 wire, as the SDK does", async () => {
    for (const method of ["GET", "DELETE", "get"]) {
      expect(isPlainLegacyRequest(method, "2026-07-28", undefined)).toBe(true);
      const request = new Request("http://localhost/mcp", {
        method: method.toUpperCase(),
        headers: { "mcp-protocol-version": "2026-07-28" },
      });
      expect(await isLegacyRequest(request)).toBe(true);
    }
  });
});

describe("isPlainModernRequest", () => {
  const MODERN: ReadonlyArray<readonly [string, unknown, string | null]> = [
    ["2026 call", call({}, { name: "echo", _meta: ENVELOPE }), "2026-07-28"],
    ["2026 call, header with whitespace", call({}, { name: "echo", _meta: ENVELOPE }), " 2026-07-28 "],
    ["modern header without envelope (refused)", call(), "2026-07-28"],
    [
      "initialize with a modern header (refused)",
      { jsonrpc: "2.0", id: 0, method: "initialize" },
      "2026-07-28",
    ],
    [
      "invalid envelope (refused)",
      call({}, { _meta: { "io.modelcontextprotocol/protocolVersion": 5 } }),
      "2026-07-28",
    ],
    ["header and claim disagree (refused)", call({}, { _meta: ENVELOPE }), "2027-01-01"],
    ["boolean progress token (refused)", call({}, { _meta: { progressToken: true } }), "2026-07-28"],
  ];
  const UNDECIDED: ReadonlyArray<readonly [string, unknown, string | null]> = [
    ["no header", call({}, { name: "echo", _meta: ENVELOPE }), null],
    ["2025 header", call(), "2025-11-25"],
    ["response", { jsonrpc: "2.0", id: 3, result: {} }, "2026-07-28"],
    ["notification", { jsonrpc: "2.0", method: "notifications/cancelled" }, "2026-07-28"],
    ["batch", [call()], "2026-07-28"],
    ["null id", { ...call(), id: null }, "2026-07-28"],
    ["array params", call({}, [1]), "2026-07-28"],
  ];

  it.each(MODERN)("recognises %s, which the SDK does not classify as 2025", async (_, body, header) => {
    expect(isPlainModernRequest("POST", header, body)).toBe(true);
    expect(await isLegacyRequest(post(body, header), body)).toBe(false);
  });

  it.each(UNDECIDED)("leaves %s to the SDK", (_, body, header) => {
    expect(isPlainModernRequest("POST", header, body)).toBe(false);
  });

  it("never claims a GET or DELETE", () => {
    expect(isPlainModernRequest("GET", "2026-07-28", undefined)).toBe(false);
    expect(isPlainModernRequest("DELETE", "2026-07-28", undefined)).toBe(false);
  });
});
