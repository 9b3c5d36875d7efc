import { type JSONRPCMessage, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { isRoutable, SessionReplies } from "./session-replies.js";

/** A transport whose sends are recorded, and the replies of one session copy over it. */
function copy(): {
  replies: SessionReplies;
  sent: JSONRPCMessage[];
  send(message: JSONRPCMessage): Promise<void>;
} {
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: () => "s" });
  const sent: JSONRPCMessage[] = [];
  transport.send = async (message) => {
    sent.push(message);
  };
  const replies = new SessionReplies(transport);
  return { replies, sent, send: (message) => transport.send(message) };
}

describe("SessionReplies", () => {
  it("tags the server's request ids, owns replies to them and gives the server its id back", async () => {
    const a = copy();
    const b = copy();
    await a.send({ jsonrpc: "2.0", id: 0, method: "sampling/createMessage", params: {} });
    await b.send({ jsonrpc: "2.0", id: 0, method: "sampling/createMessage", params: {} });
    const [toA, toB] = [a.sent[0] as { id: string }, b.sent[0] as { id: string }];
    expect(typeof toA.id).toBe("string");
    expect(toA.id).not.toBe(toB.id);
    const reply = { jsonrpc: "2.0", id: toA.id, result: {} };
    expect(isRoutable(reply)).toBe(true);
    expect(a.replies.owns(reply)).toBe(true);
    expect(b.replies.owns(reply)).toBe(false);
    expect(a.replies.accept(reply)).toEqual({ jsonrpc: "2.0", id: 0, result: {} });
  });

  it("owns a cancellation only while it serves the call, until the call answered", async () => {
    const a = copy();
    const cancel = { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7 } };
    expect(a.replies.owns(cancel)).toBe(false);
    a.replies.serving([{ jsonrpc: "2.0", id: 7, method: "tools/call", params: {} }]);
    expect(a.replies.owns(cancel)).toBe(true);
    await a.send({ jsonrpc: "2.0", id: 7, result: { content: [] } });
    expect(a.sent[0]).toMatchObject({ id: 7 });
    expect(a.replies.owns(cancel)).toBe(false);
  });

  it("routes only replies and cancellations", () => {
    expect(isRoutable({ jsonrpc: "2.0", id: 1, method: "tools/list" })).toBe(false);
    expect(isRoutable({ jsonrpc: "2.0", method: "notifications/initialized" })).toBe(false);
    expect(isRoutable({ jsonrpc: "2.0", id: "x.1", error: { code: -1, message: "no" } })).toBe(true);
  });
});
