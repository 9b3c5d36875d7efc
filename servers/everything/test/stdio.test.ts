import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { Client } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { ChildProcessTransport } from "./child-process-transport.js";
import { type Connection, itBehavesAsTheEverythingServer } from "./client-behaviour.js";
import { CLI } from "./helpers.js";

const clients: Client[] = [];

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  await stopAllProcesses();
});

async function connect(): Promise<Connection> {
  const server = await startProcess(process.execPath, [CLI]);
  const client = new Client({ name: "stdio-test", version: "1.0.0" });
  clients.push(client);
  await client.connect(new ChildProcessTransport(server.child));
  return { client, server };
}

describe("mcp-sample-everything over stdio", () => {
  itBehavesAsTheEverythingServer(connect);

  it("announces the tool list change on the session", async () => {
    const { client } = await connect();
    let changed = false;
    client.setNotificationHandler("notifications/tools/list_changed", () => {
      changed = true;
    });
    await client.callTool({ name: "toggle_extra_tool", arguments: {} });
    await expect.poll(() => changed).toBe(true);
  });

  it("notifies a subscriber when the watched resource changes", async () => {
    const { client } = await connect();
    const updated: string[] = [];
    client.setNotificationHandler("notifications/resources/updated", (notification) => {
      updated.push(notification.params.uri);
    });
    await client.subscribeResource({ uri: "test://watched-resource" });
    await client.callTool({ name: "update_watched_resource", arguments: {} });
    await expect.poll(() => updated).toEqual(["test://watched-resource"]);
    const read = await client.readResource({ uri: "test://watched-resource" });
    expect(read.contents[0]).toMatchObject({ text: "Watched resource content, revision 1" });
  });

  it("exits when stdin closes", async () => {
    const server = await startProcess(process.execPath, [CLI]);
    server.child.stdin?.end();
    expect(await server.exited()).toBe(0);
  });
});
