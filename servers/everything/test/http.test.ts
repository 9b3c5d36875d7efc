import { request as httpRequest } from "node:http";
import { type ManagedProcess, stopAllProcesses } from "@contextforge/testing";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Connection, itBehavesAsTheEverythingServer } from "./client-behaviour.js";
import { startHttpBin } from "./helpers.js";

let url: string;
let server: ManagedProcess;
const clients: Client[] = [];

beforeAll(async () => {
  ({ url, server } = await startHttpBin());
});
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
});
afterAll(stopAllProcesses);

function connector(options: ConstructorParameters<typeof Client>[1] = {}): () => Promise<Connection> {
  return async () => {
    const client = new Client({ name: "http-test", version: "1.0.0" }, options);
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    return { client, server };
  };
}

/** Sends one raw POST with the given headers, bypassing fetch's forbidden-header rules. */
function rawPost(headers: Record<string, string>, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest(
      { host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const JSON_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

describe("mcp-sample-everything over streamable HTTP, 2025-11-25 sessions", () => {
  itBehavesAsTheEverythingServer(connector());

  it("opens a session and answers an unknown session with 404", async () => {
    const { client } = await connector()();
    expect(client.getNegotiatedProtocolVersion()).toBe("2025-11-25");
    const stale = await rawPost({ ...JSON_HEADERS, "mcp-session-id": "no-such-session" }, INITIALIZE);
    expect(stale.status).toBe(404);
  });
});

describe("mcp-sample-everything over streamable HTTP, 2026-07-28 stateless", () => {
  itBehavesAsTheEverythingServer(connector({ versionNegotiation: { mode: { pin: "2026-07-28" } } }));

  it("negotiates 2026-07-28", async () => {
    const { client } = await connector({ versionNegotiation: { mode: "auto" } })();
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
  });
});

describe("DNS-rebinding protection on loopback", () => {
  it("accepts a loopback Host", async () => {
    const response = await rawPost({ ...JSON_HEADERS, host: new URL(url).host }, INITIALIZE);
    expect(response.status).toBe(200);
  });

  it("rejects a foreign Host with 403", async () => {
    const response = await rawPost({ ...JSON_HEADERS, host: "evil.example" }, INITIALIZE);
    expect(response.status).toBe(403);
  });

  it("rejects a foreign Origin with 403", async () => {
    const response = await rawPost({ ...JSON_HEADERS, origin: "http://evil.example" }, INITIALIZE);
    expect(response.status).toBe(403);
  });
});

describe("process lifecycle", () => {
  it("exits 0 on SIGTERM", async () => {
    const { server: own } = await startHttpBin();
    expect(await own.stop()).toBe(0);
  });
});
