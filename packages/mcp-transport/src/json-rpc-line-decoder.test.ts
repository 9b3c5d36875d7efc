import { describe, expect, it } from "vitest";
import { encodeJsonRpcLine, JsonRpcLineDecoder } from "./json-rpc-line-decoder.js";

describe("JsonRpcLineDecoder", () => {
  it("joins lines split across chunks, including inside a multi-byte character", () => {
    const decoder = new JsonRpcLineDecoder();
    const bytes = new TextEncoder().encode(encodeJsonRpcLine({ jsonrpc: "2.0", method: "é✓" }));
    const cut = bytes.indexOf(0xe2) + 1;
    expect(decoder.push(bytes.slice(0, cut))).toEqual([]);
    expect(decoder.push(bytes.slice(cut))).toEqual([{ ok: true, message: { jsonrpc: "2.0", method: "é✓" } }]);
  });

  it("returns several messages from one chunk and skips blank and CRLF endings", () => {
    const decoder = new JsonRpcLineDecoder();
    expect(decoder.push('{"id":1}\r\n\n{"id":2}\n{"id"')).toEqual([
      { ok: true, message: { id: 1 } },
      { ok: true, message: { id: 2 } },
    ]);
    expect(decoder.push(":3}\n")).toEqual([{ ok: true, message: { id: 3 } }]);
  });

  it("reports a malformed line and keeps decoding the next ones", () => {
    const decoder = new JsonRpcLineDecoder();
    const out = decoder.push('not json\n{"id":4}\n');
    expect(out[0]).toMatchObject({ ok: false, line: "not json" });
    expect(out[1]).toEqual({ ok: true, message: { id: 4 } });
  });

  it("drops an over-long line once and recovers at the next newline", () => {
    const decoder = new JsonRpcLineDecoder({ maxLineLength: 10 });
    const first = decoder.push('{"data":"aaaaaaaaaaaaaaaa');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ ok: false, error: "line longer than 10 characters" });
    expect(decoder.push('aaaa"}\n{"id":5}\n')).toEqual([{ ok: true, message: { id: 5 } }]);
  });

  it("decodes a final line without a newline at the end of the stream", () => {
    const decoder = new JsonRpcLineDecoder();
    expect(decoder.push('{"id":6}')).toEqual([]);
    expect(decoder.end()).toEqual([{ ok: true, message: { id: 6 } }]);
    expect(decoder.end()).toEqual([]);
  });
});
