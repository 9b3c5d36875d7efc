import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { afterEach, describe, expect, it } from "vitest";
import { startTranslate, type TranslateHandle } from "../src/index.js";
import { eventually, everythingArgv, firstText, legacyClient, newMarker, pidsWithMarker } from "./helpers.js";

let handle: TranslateHandle | undefined;
const marker = newMarker();

afterEach(async () => {
  await handle?.close();
  handle = undefined;
  expect(pidsWithMarker(marker)).toEqual([]);
});

function startShared(): Promise<TranslateHandle> {
  return startTranslate({
    stdio: everythingArgv(marker),
    port: 0,
    shared: true,
    exposeStreamableHttp: true,
    exposeWs: true,
  });
}

describe("--shared: one child multiplexed by JSON-RPC id", () => {
  it("gives each client only its own responses, with overlapping ids interleaved", async () => {
    handle = await startShared();
    const url = new URL(handle.urls.streamableHttp ?? "");
    const a = legacyClient("a");
    const b = legacyClient("b");
    const c = new ClientV1({ name: "c", version: "1.0.0" });
    // Every SDK client numbers its requests from 0, so the three id spaces overlap completely.
    await a.connect(new StreamableHTTPClientTransport(url));
    await b.connect(new StreamableHTTPClientTransport(url));
    await c.connect(new WebSocketClientTransport(new URL(handle.urls.websocket ?? "")));
    expect(pidsWithMarker(marker)).toHaveLength(1);
    // Later sessions were answered from the cached InitializeResult.
    expect(b.getServerVersion()).toEqual(a.getServerVersion());
    expect(c.getServerVersion()).toEqual(a.getServerVersion());

    const calls: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      for (const [name, client] of [
        ["a", a],
        ["b", b],
        ["c", c],
      ] as const) {
        const message = `${name}-${i}`;
        calls.push(
          client
            .callTool({ name: "echo", arguments: { message } })
            .then((result) => expect(firstText(result)).toBe(message)),
        );
      }
    }
    await Promise.all(calls);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it("routes progress notifications back to the client whose request carried the token", async () => {
    handle = await startShared();
    const url = new URL(handle.urls.streamableHttp ?? "");
    const a = legacyClient("a");
    const b = legacyClient("b");
    await a.connect(new StreamableHTTPClientTransport(url));
    await b.connect(new StreamableHTTPClientTransport(url));
    const seen = { a: [] as string[], b: [] as string[] };
    const run = (client: typeof a, name: "a" | "b", steps: number) =>
      client.callTool(
        { name: "slow", arguments: { steps, stepMs: 15 } },
        { onprogress: (p) => seen[name].push(`${p.progress}/${p.total}`) },
      );
    const [ra, rb] = await Promise.all([run(a, "a", 3), run(b, "b", 5)]);
    expect(firstText(ra)).toBe("completed 3 steps");
    expect(firstText(rb)).toBe("completed 5 steps");
    expect(seen.a).toEqual(["1/3", "2/3", "3/3"]);
    expect(seen.b).toEqual(["1/5", "2/5", "3/5", "4/5", "5/5"]);
    await Promise.all([a.close(), b.close()]);
  });

  it("keeps the child when a session ends, and serves the next session from the cache", async () => {
    handle = await startShared();
    const url = new URL(handle.urls.streamableHttp ?? "");
    const a = legacyClient("a");
    const transport = new StreamableHTTPClientTransport(url);
    await a.connect(transport);
    const [pid] = pidsWithMarker(marker);
    await transport.terminateSession();
    await a.close();
    await eventually(() => expect(handle?.sessionCount).toBe(0));

    const b = legacyClient("b");
    await b.connect(new StreamableHTTPClientTransport(url));
    expect(firstText(await b.callTool({ name: "echo", arguments: { message: "again" } }))).toBe("again");
    expect(pidsWithMarker(marker)).toEqual([pid]);
    await b.close();
  });
});
