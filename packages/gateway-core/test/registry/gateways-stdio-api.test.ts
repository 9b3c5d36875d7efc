import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { countRows } from "../../src/registry/shared/entity-table.js";
import { describeEachDialect } from "../support/dialect-matrix.js";
import { eventually, everythingStdioArgs, pidsWith } from "../support/stdio-processes.js";
import { createTestGateway, type TestGateway } from "../support/test-gateway.js";

type Json = Record<string, unknown> & { id: string; name: string };
interface Problem {
  detail: string;
  issues?: { loc: string[]; msg: string }[];
}

await describeEachDialect("REST API /gateways over stdio", (dialect: DialectName) => {
  const marker = `cf-stdio-${randomUUID()}`;
  let t: TestGateway;
  let created: Json;
  beforeAll(async () => {
    t = await createTestGateway(dialect, "gateways-stdio");
  });
  afterAll(async () => {
    await t?.close();
    expect(pidsWith(marker)).toEqual([]);
  });

  it("registers a stdio server by command, discovers its tools and stops the discovery process", async () => {
    const answer = await t.json<Json>("POST", "/gateways", {
      name: "ev-stdio",
      transport: "STDIO",
      command: process.execPath,
      args: everythingStdioArgs(marker),
      env: { EVERYTHING_API_KEY: "stdio-secret-value" },
      cwd: process.cwd(),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    created = answer.body;
    expect(created).toMatchObject({
      name: "ev-stdio",
      slug: "ev-stdio",
      url: "stdio://ev-stdio",
      transport: "STDIO",
      command: process.execPath,
      args: everythingStdioArgs(marker),
      env: { EVERYTHING_API_KEY: "*****" },
      cwd: process.cwd(),
      authType: null,
      reachable: true,
      protocolVersion: expect.stringMatching(/^20\d\d-\d\d-\d\d$/),
    });
    expect(JSON.stringify(created)).not.toContain("stdio-secret-value");
    const tools = await t.json<Json[]>("GET", `/tools?gateway_id=${created.id}`);
    expect(tools.body.map((tool) => tool.name)).toContain("ev-stdio-echo");
    expect(tools.body[0]).toMatchObject({ gatewaySlug: "ev-stdio", requestType: "STDIO" });
    // Discovery's process is released at once and stopped (the gateway's supervisor idles out at 0).
    expect(await eventually(() => pidsWith(marker).length === 0)).toBe(true);
  });

  it("stores env sealed, and answers it masked everywhere", async () => {
    const row = await t.gateway.database.db
      .selectFrom("gateways")
      .select(["env", "args", "command", "url"])
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(row.env).toMatch(/^v1\./);
    expect(row.env).not.toContain("stdio-secret-value");
    expect(JSON.parse(row.args ?? "null")).toEqual(everythingStdioArgs(marker));
    const listed = await t.json<Json[]>("GET", "/gateways");
    expect(JSON.stringify(listed.body)).not.toContain("stdio-secret-value");
    const one = await t.json<Json>("GET", `/gateways/${created.id}`);
    expect(one.body.env).toEqual({ EVERYTHING_API_KEY: "*****" });
  });

  it("keeps a masked env value sent back on update, and replaces the others", async () => {
    const updated = await t.json<Json>("PUT", `/gateways/${created.id}`, {
      env: { EVERYTHING_API_KEY: "*****", EXTRA: "two" },
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.env).toEqual({ EVERYTHING_API_KEY: "*****", EXTRA: "*****" });
    const row = await t.gateway.database.db
      .selectFrom("gateways")
      .select("env")
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(row.env).not.toContain("two");
  });

  it("refuses inconsistent stdio bodies with 422, storing nothing", async () => {
    const before = await countRows(t.gateway.database.db, "gateways");
    const cases: [unknown, string][] = [
      [{ name: "no-command", transport: "STDIO" }, "command"],
      [{ name: "sse-command", transport: "SSE", url: "http://127.0.0.1:1/sse", command: "node" }, "command"],
      [{ name: "stdio-url", transport: "STDIO", command: "node", url: "http://127.0.0.1:1/mcp" }, "url"],
      [{ name: "relative-cwd", transport: "STDIO", command: "node", cwd: "relative/dir" }, "cwd"],
      [{ name: "bad-env", transport: "STDIO", command: "node", env: { "NOT A NAME": "x" } }, "env"],
      [
        { name: "ws-command", transport: "WEBSOCKET", url: "ws://127.0.0.1:1/ws", command: "node" },
        "command",
      ],
    ];
    for (const [body, field] of cases) {
      const answer = await t.json<Problem>("POST", "/gateways", body);
      expect(answer.status, JSON.stringify(body)).toBe(422);
      expect(JSON.stringify(answer.body), JSON.stringify(body)).toContain(field);
    }
    expect((await t.json("PUT", `/gateways/${created.id}`, { url: "http://127.0.0.1:1/mcp" })).status).toBe(
      422,
    );
    expect(await countRows(t.gateway.database.db, "gateways")).toBe(before);
  });

  it("answers 502 for a command that cannot start, leaving no trace", async () => {
    const before = await countRows(t.gateway.database.db, "gateways");
    const answer = await t.json<Problem>("POST", "/gateways", {
      name: "missing-binary",
      transport: "STDIO",
      command: `/nonexistent/${marker}`,
    });
    expect(answer.status).toBe(502);
    expect(answer.body.detail).toContain("stdio://missing-binary");
    expect(await countRows(t.gateway.database.db, "gateways")).toBe(before);
  });
});
