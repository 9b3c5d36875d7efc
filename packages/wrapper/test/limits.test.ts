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

const url = (): string => `http://127.0.0.1:${everythingPort}/mcp`;
const cancellations = (): number => (everything.output().stderr.match(/slow cancelled after/g) ?? []).length;

describe("mcpwrapper's limits", () => {
  it("answers a request that outlives --timeout with an error and cancels it at the remote", async () => {
    wrapped = await connectThroughWrapper(marker, ["--url", url(), "--timeout", "2"]);
    const before = cancellations();
    const started = Date.now();
    const error = await wrapped.client
      .callTool({ name: "slow", arguments: { steps: 100, stepMs: 100 } })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: number; message?: string },
      );
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(error?.code).toBe(-32001);
    expect(error?.message).toMatch(/timed out after 2 s/);
    await eventually(() => expect(cancellations()).toBe(before + 1));
    // The session is still good for the next call.
    expect(firstText(await wrapped.client.callTool({ name: "echo", arguments: { message: "next" } }))).toBe(
      "next",
    );
  });

  it("forwards the client's notifications/cancelled to the remote", async () => {
    wrapped = await connectThroughWrapper(marker, ["--url", url()]);
    const before = cancellations();
    const controller = new AbortController();
    const call = wrapped.client
      .callTool({ name: "slow", arguments: { steps: 100, stepMs: 100 } }, { signal: controller.signal })
      .then(
        () => "answered",
        () => "rejected",
      );
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort("changed my mind");
    expect(await call).toBe("rejected");
    await eventually(() => expect(cancellations()).toBe(before + 1));
  });

  it("keeps at most --concurrency requests in flight to the remote; the rest wait their turn", async () => {
    proxy = await startRecordingProxy(everythingPort);
    wrapped = await connectThroughWrapper(marker, ["--url", proxy.url, "--concurrency", "1"]);
    const client = wrapped.client;
    const results = await Promise.all(
      [1, 2, 3].map((steps) => client.callTool({ name: "slow", arguments: { steps, stepMs: 50 } })),
    );
    expect(results.map(firstText)).toEqual(["completed 1 steps", "completed 2 steps", "completed 3 steps"]);
    expect(proxy.maxConcurrentToolCalls()).toBe(1);
  });

  it("sends requests concurrently up to the default limit", async () => {
    proxy = await startRecordingProxy(everythingPort);
    wrapped = await connectThroughWrapper(marker, ["--url", proxy.url]);
    const client = wrapped.client;
    await Promise.all(
      [1, 2, 3].map(() => client.callTool({ name: "slow", arguments: { steps: 3, stepMs: 100 } })),
    );
    expect(proxy.maxConcurrentToolCalls()).toBe(3);
  });
});
