import { getFreePort, stopAllProcesses } from "@contextforge/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRecordingProxy } from "./helpers/recording-proxy.js";
import {
  connectThroughWrapper,
  eventually,
  firstText,
  newMarker,
  pidsWithMarker,
  startEverything,
  type WrappedClient,
} from "./helpers/wrapper-process.js";

const marker = newMarker();
let port: number;
let url: string;
let wrapped: WrappedClient | undefined;

beforeAll(async () => {
  port = await getFreePort();
  await startEverything(port);
  url = `http://127.0.0.1:${port}/mcp`;
});

afterEach(async () => {
  await wrapped?.client.close();
  wrapped = undefined;
  await eventually(() => expect(pidsWithMarker(marker)).toEqual([]));
});

afterAll(stopAllProcesses);

describe("a stdio client using a remote server through mcpwrapper", () => {
  it("lists and calls the remote's tools, structured content included", async () => {
    wrapped = await connectThroughWrapper(marker, ["--url", url]);
    const { client } = wrapped;
    expect(client.getServerVersion()?.name).toBe("mcp-sample-everything");
    expect(client.getNegotiatedProtocolVersion()).toMatch(/^2025-/);

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(["echo", "slow", "add"]));
    expect(firstText(await client.callTool({ name: "echo", arguments: { message: "through stdio" } }))).toBe(
      "through stdio",
    );
    const sum = await client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
    expect(sum.structuredContent).toEqual({ sum: 5 });
  });

  it("relays progress notifications to the client's progress callback", async () => {
    wrapped = await connectThroughWrapper(marker, ["--url", url]);
    const progress: number[] = [];
    const result = await wrapped.client.callTool(
      { name: "slow", arguments: { steps: 3, stepMs: 50 } },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(firstText(result)).toBe("completed 3 steps");
    // The SDK client runs notification handlers a microtask late, so the last progress, read in the
    // same chunk as the result, may reach a callback that is gone; the wire order is asserted in
    // stdio.test.ts.
    expect(progress.slice(0, 2)).toEqual([1, 2]);
  });

  it("passes a sampling request from the remote to the client and its answer back", async () => {
    wrapped = await connectThroughWrapper(marker, ["--url", url], {
      client: { capabilities: { sampling: {} }, versionNegotiation: { mode: "legacy" } },
    });
    const prompts: string[] = [];
    wrapped.client.setRequestHandler("sampling/createMessage", async (request) => {
      const content = request.params.messages[0]?.content;
      const text = content && !Array.isArray(content) && content.type === "text" ? content.text : "?";
      prompts.push(text);
      return { model: "test-model", role: "assistant", content: { type: "text", text: `echo of ${text}` } };
    });
    const result = await wrapped.client.callTool({ name: "test_sampling", arguments: { prompt: "hello" } });
    expect(prompts).toEqual(["hello"]);
    expect(firstText(result)).toBe("LLM response: echo of hello");
  });

  it("passes an elicitation request from the remote to the client and its answer back", async () => {
    wrapped = await connectThroughWrapper(marker, ["--url", url], {
      client: { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: "legacy" } },
    });
    wrapped.client.setRequestHandler("elicitation/create", async () => ({
      action: "accept",
      content: { response: "yes" },
    }));
    const result = await wrapped.client.callTool({ name: "test_elicitation", arguments: { message: "ok?" } });
    expect(firstText(result)).toBe('User response: action=accept, content={"response":"yes"}');
  });

  it("relays notifications the remote sends on its GET stream (tools/list_changed)", async () => {
    const changed: string[] = [];
    const proxy = await startRecordingProxy(port);
    wrapped = await connectThroughWrapper(marker, ["--url", proxy.url]);
    wrapped.client.setNotificationHandler("notifications/tools/list_changed", () => {
      changed.push("tools");
    });
    // The GET stream must be open before the change it should carry (the server sends its
    // headers with the first event, so give it a moment once the GET went through).
    await eventually(() => expect(proxy.requests.some((r) => r.method === "GET")).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await wrapped.client.callTool({ name: "toggle_extra_tool", arguments: {} });
    await eventually(() => expect(changed.length).toBeGreaterThan(0));
    await wrapped.client.callTool({ name: "toggle_extra_tool", arguments: {} });
    await wrapped.client.close();
    wrapped = undefined;
    await proxy.close();
  });

  it("serves interleaved concurrent calls, each answer to its own request", async () => {
    wrapped = await connectThroughWrapper(marker, ["--url", url]);
    const { client } = wrapped;
    const messages = Array.from({ length: 20 }, (_, i) => `message ${i}`);
    const answers = await Promise.all(
      messages.map((message) => client.callTool({ name: "echo", arguments: { message } })),
    );
    expect(answers.map(firstText)).toEqual(messages);
  });
});
