import { type Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { afterEach, describe, expect, it } from "vitest";
import { startTranslate, type TranslateHandle, type TranslateOptions } from "../src/index.js";
import { envReport, envServerArgv, eventually, legacyClient, newMarker, pidsWithMarker } from "./helpers.js";

let handle: TranslateHandle | undefined;
const clients: { close(): Promise<void> }[] = [];
const marker = newMarker();

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  await handle?.close();
  handle = undefined;
  expect(pidsWithMarker(marker)).toEqual([]);
});

function start(options: Partial<TranslateOptions>): Promise<TranslateHandle> {
  return startTranslate({
    stdio: envServerArgv(marker),
    port: 0,
    exposeStreamableHttp: true,
    headerToEnv: { "X-Tenant": "TENANT" },
    ...options,
  });
}

/** A 2025 client sending `X-Tenant: <tenant>` on every request. */
async function tenantClient(tenant: string | undefined): Promise<Client> {
  const client = legacyClient(`tenant-${tenant}`);
  const headers: Record<string, string> = tenant === undefined ? {} : { "X-Tenant": tenant };
  await client.connect(
    new StreamableHTTPClientTransport(new URL(handle?.urls.streamableHttp ?? ""), {
      requestInit: { headers },
    }),
  );
  clients.push(client);
  return client;
}

async function tenantOf(client: Client): Promise<{ value: string | null; pid: number }> {
  return envReport(await client.callTool({ name: "env", arguments: { name: "TENANT" } }));
}

describe("--header-to-env: request headers become the child's environment", () => {
  it("--shared: one child per distinct value, reused by every session with that value", async () => {
    handle = await start({ shared: true });
    const [acme, globex, acme2] = [
      await tenantClient("acme"),
      await tenantClient("globex"),
      await tenantClient("acme"),
    ];
    const [a, g, a2] = [await tenantOf(acme), await tenantOf(globex), await tenantOf(acme2)];
    expect([a.value, g.value, a2.value]).toEqual(["acme", "globex", "acme"]);
    expect(a2.pid).toBe(a.pid);
    expect(g.pid).not.toBe(a.pid);
    expect(new Set(pidsWithMarker(marker))).toEqual(new Set([a.pid, g.pid]));

    // A new value starts a new child without touching the running ones.
    const initech = await tenantOf(await tenantClient("initech"));
    expect(initech.value).toBe("initech");
    expect(new Set(pidsWithMarker(marker))).toEqual(new Set([a.pid, g.pid, initech.pid]));
  });

  it("stops a shared child no session has used for --session-idle-timeout, and starts it again on demand", async () => {
    handle = await start({ shared: true, sessionIdleTimeoutMs: 300 });
    const acme = await tenantClient("acme");
    const first = await tenantOf(acme);
    await acme.close();
    await eventually(() => expect(pidsWithMarker(marker)).toEqual([]));

    const again = await tenantOf(await tenantClient("acme"));
    expect(again.value).toBe("acme");
    expect(again.pid).not.toBe(first.pid);
  });

  it("--stateless: requests with the same value share a child, another value gets another", async () => {
    handle = await start({ stateless: true });
    const [a, b, c] = await Promise.all([tenantClient("acme"), tenantClient("globex"), tenantClient("acme")]);
    const reports = await Promise.all([a, b, c, a, b].map((client) => tenantOf(client)));
    expect(reports.map((report) => report.value)).toEqual(["acme", "globex", "acme", "acme", "globex"]);
    expect(reports[2]?.pid).toBe(reports[0]?.pid);
    expect(reports[1]?.pid).not.toBe(reports[0]?.pid);
    expect(pidsWithMarker(marker)).toHaveLength(2);
  });

  it("gives each session its own child with its own value by default, over every transport", async () => {
    handle = await start({ exposeWs: true });
    const acme = await tenantClient("acme");
    const ws = new ClientV1({ name: "ws", version: "1.0.0" });
    await ws.connect(new WebSocketClientTransport(new URL(`${handle.urls.websocket ?? ""}`)));
    clients.push(ws);
    const overWs = envReport(await ws.callTool({ name: "env", arguments: { name: "TENANT" } }));
    // The SDK v1 WebSocket client sends no custom headers: the variable is unset.
    expect(overWs.value).toBeNull();
    const a = await tenantOf(acme);
    const a2 = await tenantOf(await tenantClient("acme"));
    expect(a.value).toBe("acme");
    expect(a2.value).toBe("acme");
    expect(a2.pid).not.toBe(a.pid);
    expect(pidsWithMarker(marker)).toHaveLength(3);
  });

  it("never passes this process's own value of a mapped variable, and never logs header values", async () => {
    const lines: string[] = [];
    process.env.TENANT = "operator-secret";
    try {
      handle = await start({ shared: true, logger: (_, line) => lines.push(line) });
      expect((await tenantOf(await tenantClient(undefined))).value).toBeNull();
      expect((await tenantOf(await tenantClient("very-secret-tenant"))).value).toBe("very-secret-tenant");
    } finally {
      delete process.env.TENANT;
    }
    await handle.close();
    expect(lines.join("\n")).not.toContain("very-secret-tenant");
    expect(lines.join("\n")).toContain("(shared children keyed by TENANT)");
  });

  it("answers a CORS preflight for the mapped header", async () => {
    handle = await start({ corsOrigins: ["https://app.example"] });
    const preflight = await fetch(handle.urls.streamableHttp ?? "", {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Headers": "x-tenant, mcp-param-region",
      },
    });
    expect(preflight.status).toBe(204);
    const allowed = preflight.headers.get("access-control-allow-headers")?.toLowerCase() ?? "";
    expect(allowed).toContain("x-tenant");
    expect(allowed).toContain("mcp-param-region");
  });

  it("rejects mappings that cannot work", async () => {
    await expect(startTranslate({ stdio: "node x.js", headerToEnv: { "X-A": "1BAD" } })).rejects.toThrow(
      '"1BAD" is not an environment variable name',
    );
    await expect(
      startTranslate({ stdio: "node x.js", headerToEnv: { "Mcp-Session-Id": "SID" } }),
    ).rejects.toThrow("Mcp-Session-Id cannot be mapped");
    await expect(
      startTranslate({ stdio: "node x.js", headerToEnv: { "X-A": "SAME", "X-B": "SAME" } }),
    ).rejects.toThrow("SAME is set by two headers");
  });
});
