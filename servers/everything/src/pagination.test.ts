import { Client, ProtocolError } from "@modelcontextprotocol/client";
import { InMemoryTransport, McpServer } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it } from "vitest";
import { createEverythingServer } from "./everything-server.js";
import { installPagination } from "./pagination.js";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((side) => side.close()));
});

async function connect(pageSize: number): Promise<Client> {
  const server = createEverythingServer({ pageSize });
  const client = new Client({ name: "pagination-test", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  open.push(client, server);
  await server.connect(serverSide);
  await client.connect(clientSide);
  return client;
}

describe("installPagination", () => {
  it("serves the whole list in pages of the configured size", async () => {
    const client = await connect(3);
    const all = (await client.listTools()).tools.map((tool) => tool.name);
    const walked: string[] = [];
    let cursor = "";
    do {
      const page = await client.listTools({ cursor });
      expect(page.tools.length).toBeLessThanOrEqual(3);
      walked.push(...page.tools.map((tool) => tool.name));
      cursor = page.nextCursor ?? "";
    } while (cursor !== "");
    expect(walked).toEqual(all);
  });

  it("pages resources too", async () => {
    const client = await connect(2);
    const first = await client.listResources({ cursor: "" });
    expect(first.resources).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
  });

  it("answers a malformed cursor with -32602", async () => {
    const client = await connect(3);
    const failure = await client.listTools({ cursor: "not-a-cursor" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProtocolError);
    expect((failure as ProtocolError).code).toBe(-32602);
  });

  it("refuses a page size below 1 at construction", () => {
    expect(() => installPagination(new McpServer({ name: "x", version: "1" }), 0)).toThrow(RangeError);
  });
});
