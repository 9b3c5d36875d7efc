import type { ManagedProcess } from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { expect, it } from "vitest";

/** A connected client and the server process behind it. */
export interface Connection {
  readonly client: Client;
  readonly server: ManagedProcess;
}

function text(result: { content?: unknown }): string {
  const [first] = (result.content ?? []) as { type: string; text?: string }[];
  return first?.type === "text" ? (first.text ?? "") : "";
}

/** The behaviour every transport and era must show; `connect` opens a fresh connection per test. */
export function itBehavesAsTheEverythingServer(connect: () => Promise<Connection>): void {
  it("initializes and reports its name", async () => {
    const { client } = await connect();
    expect(client.getServerVersion()?.name).toBe("mcp-sample-everything");
  });

  it("lists every tool across pages, echo included", async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toContain("echo");
    expect(names).toContain("test_simple_text");
    expect(names.length).toBeGreaterThan(10);
  });

  it("returns the first page with a cursor, and the cursor leads to the next page", async () => {
    const { client } = await connect();
    const first = await client.listTools({ cursor: "" });
    expect(first.tools).toHaveLength(10);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await client.listTools({ cursor: first.nextCursor as string });
    expect(second.tools[0]?.name).not.toBe(first.tools[0]?.name);
  });

  it("echoes the message", async () => {
    const { client } = await connect();
    const result = await client.callTool({ name: "echo", arguments: { message: "hello gateway" } });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe("hello gateway");
  });

  it("stops slow early when the call is cancelled", async () => {
    const { client, server } = await connect();
    const controller = new AbortController();
    let progressSeen = 0;
    const call = client.callTool(
      { name: "slow", arguments: { steps: 50, stepMs: 100 } },
      {
        signal: controller.signal,
        onprogress: () => {
          progressSeen += 1;
          if (progressSeen === 2) controller.abort();
        },
      },
    );
    await expect(call).rejects.toThrow();
    const [, done] = (await server.waitForOutput(
      /slow cancelled after (\d+) of 50 steps/,
      10_000,
    )) as string[];
    expect(Number(done)).toBeLessThan(50);
  });

  it("adds or removes extra_tool when toggled", async () => {
    const { client } = await connect();
    const listed = async (): Promise<boolean> =>
      (await client.listTools()).tools.some((tool) => tool.name === "extra_tool");
    const before = await listed();
    await client.callTool({ name: "toggle_extra_tool", arguments: {} });
    expect(await listed()).toBe(!before);
  });
}
