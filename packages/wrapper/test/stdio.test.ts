import { getFreePort, type ManagedProcess, stopAllProcesses } from "@contextforge/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RecordingProxy, startRecordingProxy } from "./helpers/recording-proxy.js";
import {
  answerTo,
  eventually,
  initializeRequest,
  newMarker,
  pidsWithMarker,
  sendLine,
  startEverything,
  startRawWrapper,
  stdoutMessages,
} from "./helpers/wrapper-process.js";

const marker = newMarker();
let everythingPort: number;
let proxy: RecordingProxy;

beforeAll(async () => {
  everythingPort = await getFreePort();
  await startEverything(everythingPort);
});

afterEach(async () => {
  await proxy?.close();
  await eventually(() => expect(pidsWithMarker(marker)).toEqual([]));
});

afterAll(stopAllProcesses);

async function startSession(args: readonly string[] = []): Promise<ManagedProcess> {
  proxy = await startRecordingProxy(everythingPort);
  const wrapper = await startRawWrapper(marker, ["--url", proxy.url, ...args]);
  sendLine(wrapper, initializeRequest(1));
  expect((await answerTo(wrapper, 1)).result).toBeDefined();
  sendLine(wrapper, { jsonrpc: "2.0", method: "notifications/initialized" });
  return wrapper;
}

describe("mcpwrapper's stdio side", () => {
  it("answers a malformed line with a parse error and keeps serving", async () => {
    proxy = await startRecordingProxy(everythingPort);
    const wrapper = await startRawWrapper(marker, ["--url", proxy.url]);
    sendLine(wrapper, "{not json");
    await wrapper.waitForOutput(/-32700/);
    expect(stdoutMessages(wrapper)[0]).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "Parse error" },
    });
    sendLine(wrapper, [{ jsonrpc: "2.0", id: 5, method: "ping" }]);
    sendLine(wrapper, { id: 6, method: "ping" });
    await wrapper.waitForOutput(/"id":6/);
    expect(stdoutMessages(wrapper).slice(1)).toEqual([
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: "JSON-RPC batches are not supported" } },
      { jsonrpc: "2.0", id: 6, error: { code: -32600, message: "Invalid Request" } },
    ]);
    sendLine(wrapper, initializeRequest(7));
    expect((await answerTo(wrapper, 7)).result).toMatchObject({
      serverInfo: { name: "mcp-sample-everything" },
    });
    wrapper.child.stdin?.end();
    expect(await wrapper.exited()).toBe(0);
  });

  it("writes nothing but JSON-RPC to stdout, even at debug level, and keeps the wire order", async () => {
    const wrapper = await startSession(["--log-level", "debug"]);
    sendLine(wrapper, { jsonrpc: "2.0", id: 2, method: "tools/list" });
    sendLine(wrapper, {
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "slow", arguments: { steps: 3, stepMs: 10 }, _meta: { progressToken: "p" } },
    });
    await answerTo(wrapper, 2);
    await answerTo(wrapper, 3);
    wrapper.child.stdin?.end();
    expect(await wrapper.exited()).toBe(0);

    const messages = stdoutMessages(wrapper);
    for (const message of messages) expect(message.jsonrpc).toBe("2.0");
    const call = messages.filter(
      (m) => m.id === 3 || (m.method === "notifications/progress" && JSON.stringify(m).includes('"p"')),
    );
    expect(call.map((m) => (m.id === 3 ? "result" : (m.params as { progress: number }).progress))).toEqual([
      1,
      2,
      3,
      "result",
    ]);
    expect(wrapper.output().stderr).toContain("mcpwrapper: -> tools/list");
  });

  it("on stdin EOF, answers what is in flight, DELETEs the remote session and exits 0", async () => {
    const wrapper = await startSession();
    sendLine(wrapper, {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "slow", arguments: { steps: 2, stepMs: 100 } },
    });
    wrapper.child.stdin?.end();
    expect(await wrapper.exited()).toBe(0);
    expect((await answerTo(wrapper, 2)).result).toMatchObject({
      content: [{ type: "text", text: "completed 2 steps" }],
    });
    const sessionId = proxy.requests.find((r) => r.rpcMethod === "initialize")?.sessionId;
    expect(sessionId).toBeUndefined();
    const deletes = proxy.requests.filter((r) => r.method === "DELETE");
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.sessionId).toBe(proxy.requests.find((r) => r.rpcMethod === "tools/call")?.sessionId);
    expect(deletes[0]?.status).toBe(200);
  });

  it("on SIGTERM, DELETEs the remote session and exits 0", async () => {
    const wrapper = await startSession();
    sendLine(wrapper, { jsonrpc: "2.0", id: 2, method: "ping" });
    await answerTo(wrapper, 2);
    wrapper.child.kill("SIGTERM");
    expect(await wrapper.exited()).toBe(0);
    expect(proxy.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);
  });
});
