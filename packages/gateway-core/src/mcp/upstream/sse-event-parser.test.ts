import { describe, expect, it } from "vitest";
import { type SseEvent, SseEventParser } from "./sse-event-parser.js";

function parse(chunks: readonly string[]): { events: SseEvent[]; retries: number[] } {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const parser = new SseEventParser({ onEvent: (e) => events.push(e), onRetry: (ms) => retries.push(ms) });
  for (const chunk of chunks) parser.feed(chunk);
  return { events, retries };
}

describe("SseEventParser", () => {
  it("reads id, event and data fields, one event per blank line", () => {
    const { events } = parse(['id: 1\nevent: message\ndata: {"a":1}\n\ndata: two\n\n']);
    expect(events).toEqual([
      { id: "1", event: "message", data: '{"a":1}' },
      { id: undefined, event: undefined, data: "two" },
    ]);
  });

  it("joins multi-line data with LF", () => {
    const { events } = parse(['data: {"a":\ndata: 1}\n\n']);
    expect(events).toEqual([{ id: undefined, event: undefined, data: '{"a":\n1}' }]);
  });

  it("accepts CRLF and CR line ends, also when split between chunks", () => {
    const { events } = parse(["data: a\r", "\n\r", "\ndata: b\r\rdata: c\n", "\n"]);
    expect(events.map((e) => e.data)).toEqual(["a", "b", "c"]);
  });

  it("parses a stream fed one character at a time", () => {
    const text = "id: 7\r\ndata: héllo ✓\r\n\r\n";
    const { events } = parse([...text]);
    expect(events).toEqual([{ id: "7", event: undefined, data: "héllo ✓" }]);
  });

  it("skips comments and unknown fields, keeps a value without the optional space", () => {
    const { events } = parse([": keep-alive\nfoo: bar\ndata:x\ndata\n\n"]);
    expect(events).toEqual([{ id: undefined, event: undefined, data: "x\n" }]);
  });

  it("reports a numeric retry and ignores a malformed one", () => {
    const { retries, events } = parse(["retry: 250\n\nretry: soon\n\n"]);
    expect(retries).toEqual([250]);
    expect(events).toEqual([]);
  });

  it("drops a leading BOM and an id holding NUL", () => {
    const { events } = parse(["\ufeffid: a\0b\ndata: x\n\n"]);
    expect(events).toEqual([{ id: undefined, event: undefined, data: "x" }]);
  });

  it("reports an event that only sets an id, for resumption", () => {
    const { events } = parse(["id: prime\n\n"]);
    expect(events).toEqual([{ id: "prime", event: undefined, data: "" }]);
  });

  it("never dispatches an event the stream did not end with a blank line", () => {
    const { events } = parse(["data: done\n\ndata: cut"]);
    expect(events.map((e) => e.data)).toEqual(["done"]);
  });
});
