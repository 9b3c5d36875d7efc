import { getFreePort, type ManagedProcess, stopAllProcesses } from "@contextforge/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RecordingProxy, startRecordingProxy } from "./helpers/recording-proxy.js";
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
const TOKEN = "Bearer wrapper-test-token";
let everythingPort: number;
let everything: ManagedProcess;
let proxy: RecordingProxy | undefined;
let wrapped: WrappedClient | undefined;

beforeAll(async () => {
  everythingPort = await getFreePort();
  everything = await startEverything(everythingPort);
});

afterEach(async () => {
  await wrapped?.client.close();
  wrapped = undefined;
  await proxy?.close();
  proxy = undefined;
  await eventually(() => expect(pidsWithMarker(marker)).toEqual([]));
});

afterAll(stopAllProcesses);

describe("mcpwrapper's remote session", () => {
  it("sends the --auth value and every --header on each request, and keeps one session", async () => {
    proxy = await startRecordingProxy(everythingPort, { requiredAuthorization: TOKEN });
    wrapped = await connectThroughWrapper(marker, [
      "--url",
      proxy.url,
      "--auth",
      TOKEN,
      "--header",
      "X-Tenant: acme",
      "--header",
      "X-Trace:on",
    ]);
    await wrapped.client.listTools();
    await wrapped.client.callTool({ name: "echo", arguments: { message: "one" } });
    await wrapped.client.callTool({ name: "echo", arguments: { message: "two" } });

    const posts = proxy.requests.filter((r) => r.method === "POST");
    expect(posts.map((r) => r.status)).not.toContain(401);
    for (const request of proxy.requests) {
      expect(request.headers.authorization).toBe(TOKEN);
      expect(request.headers["x-tenant"]).toBe("acme");
      expect(request.headers["x-trace"]).toBe("on");
    }
    const [initialize, ...rest] = posts;
    expect(initialize?.rpcMethod).toBe("initialize");
    expect(initialize?.sessionId).toBeUndefined();
    const sessions = new Set(rest.map((r) => r.sessionId));
    expect(sessions.size).toBe(1);
    expect([...sessions][0]).toMatch(/^[\x21-\x7e]+$/);
    // The protocol version the client negotiated is announced on every later request.
    expect(rest.every((r) => r.headers["mcp-protocol-version"] === "2025-11-25")).toBe(true);
  });

  it("takes the URL and the Authorization value from MCP_SERVER_URL and MCP_AUTH", async () => {
    proxy = await startRecordingProxy(everythingPort, { requiredAuthorization: TOKEN });
    wrapped = await connectThroughWrapper(marker, [], {
      env: { MCP_SERVER_URL: proxy.url, MCP_AUTH: TOKEN },
    });
    expect(firstText(await wrapped.client.callTool({ name: "echo", arguments: { message: "env" } }))).toBe(
      "env",
    );
  });

  it("lets flags win over the environment", async () => {
    proxy = await startRecordingProxy(everythingPort, { requiredAuthorization: TOKEN });
    wrapped = await connectThroughWrapper(marker, ["--url", proxy.url, "--auth", TOKEN], {
      env: { MCP_SERVER_URL: "http://127.0.0.1:9/nowhere", MCP_AUTH: "Bearer wrong" },
    });
    expect(firstText(await wrapped.client.callTool({ name: "echo", arguments: { message: "flags" } }))).toBe(
      "flags",
    );
  });

  it("fails the client's initialize with a hint when the remote refuses the credentials", async () => {
    proxy = await startRecordingProxy(everythingPort, { requiredAuthorization: TOKEN });
    await expect(
      connectThroughWrapper(marker, ["--url", proxy.url, "--auth", "Bearer wrong"]),
    ).rejects.toThrow(/HTTP 401; check MCP_AUTH/);
    // No fallback to the SSE transport on an authentication failure.
    expect(proxy.requests.map((r) => r.method)).toEqual(["POST"]);
  });

  it("re-initializes with the client's initialize and re-sends the request once on a 404", async () => {
    proxy = await startRecordingProxy(everythingPort);
    wrapped = await connectThroughWrapper(marker, ["--url", proxy.url]);
    const { client } = wrapped;
    await client.callTool({ name: "echo", arguments: { message: "before" } });
    proxy.expireSessions();

    expect(firstText(await client.callTool({ name: "echo", arguments: { message: "after" } }))).toBe("after");
    const calls = proxy.requests.filter((r) => r.rpcMethod === "tools/call");
    expect(calls.map((r) => r.status)).toEqual([200, 404, 200]);
    expect(calls[2]?.sessionId).not.toBe(calls[0]?.sessionId);
    const initializes = proxy.requests.filter((r) => r.rpcMethod === "initialize");
    expect(initializes).toHaveLength(2);
    // The second session announces the same client: the wrapper re-sent the client's own params.
    expect(initializes[1]?.headers["mcp-protocol-version"]).toBeUndefined();
    expect(proxy.requests.filter((r) => r.rpcMethod === "notifications/initialized")).toHaveLength(2);
  });

  it("restores the client's log level and resource subscriptions on the new session", async () => {
    proxy = await startRecordingProxy(everythingPort);
    wrapped = await connectThroughWrapper(marker, ["--url", proxy.url]);
    const { client } = wrapped;
    const updated: string[] = [];
    client.setNotificationHandler("notifications/resources/updated", (notification) => {
      updated.push(notification.params.uri);
    });
    await client.setLoggingLevel("debug");
    await client.subscribeResource({ uri: "test://watched-resource" });
    proxy.expireSessions();
    await client.callTool({ name: "echo", arguments: { message: "re-open" } });

    const retried = proxy.requests.filter((r) => r.rpcMethod === "tools/call").at(-1);
    expect(retried?.status).toBe(200);
    const onNewSession = proxy.requests.filter((r) => r.sessionId === retried?.sessionId);
    expect(onNewSession.map((r) => r.rpcMethod)).toEqual(
      expect.arrayContaining(["notifications/initialized", "logging/setLevel", "resources/subscribe"]),
    );
    // The new session's GET stream carries the update: wait until it is open.
    await eventually(() =>
      expect(proxy?.requests.some((r) => r.method === "GET" && r.sessionId === retried?.sessionId)).toBe(
        true,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.callTool({ name: "update_watched_resource", arguments: {} });
    await eventually(() => expect(updated).toContain("test://watched-resource"));
  });

  it("survives a restart of the remote on the same port; a call in flight gets an error", async () => {
    proxy = await startRecordingProxy(everythingPort);
    wrapped = await connectThroughWrapper(marker, ["--url", proxy.url]);
    const { client } = wrapped;
    expect(firstText(await client.callTool({ name: "echo", arguments: { message: "before" } }))).toBe(
      "before",
    );
    const inFlight = client.callTool({ name: "slow", arguments: { steps: 50, stepMs: 100 } }).then(
      () => new Error("answered"),
      (error: unknown) => error,
    );
    await eventually(() =>
      expect(proxy?.requests.filter((r) => r.rpcMethod === "tools/call" && r.status === 200)).toHaveLength(2),
    );

    await everything.stop();
    everything = await startEverything(everythingPort);

    // Not re-sent: it may have had effects before the restart.
    expect(String(await inFlight)).toMatch(/lost before it answered/);
    expect(firstText(await client.callTool({ name: "echo", arguments: { message: "after" } }))).toBe("after");
    const progress: number[] = [];
    await client.callTool(
      { name: "slow", arguments: { steps: 2, stepMs: 50 } },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(progress[0]).toBe(1);
    const sessions = new Set(
      proxy.requests.filter((r) => r.rpcMethod === "tools/call").map((r) => r.sessionId),
    );
    expect(sessions.size).toBe(2);
    expect(wrapped.stderr()).toContain("opening a new remote session");
  });
});
