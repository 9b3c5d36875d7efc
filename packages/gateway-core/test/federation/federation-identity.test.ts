import { afterEach, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { readOrCreateFederationId } from "../../src/federation/federation-identity-repository.js";
import { describeEachDialect } from "../support/dialect-matrix.js";
import { createTestGateway, type TestGateway } from "../support/test-gateway.js";

let open: TestGateway | undefined;

afterEach(async () => {
  await open?.close();
  open = undefined;
});

await describeEachDialect("federation identity", (dialect: DialectName) => {
  it("is generated at first start, stored, and the same after a restart", async () => {
    open = await createTestGateway(dialect, "fedid");
    const first = open.gateway.federationId;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    open = await open.restart();
    expect(open.gateway.federationId).toBe(first);
  });

  it("is stored once when replicas start at the same moment", async () => {
    open = await createTestGateway(dialect, "fedrace");
    const db = open.gateway.database.db;
    await db.deleteFrom("federation_identity").execute();
    const ids = await Promise.all(
      ["one", "two", "three"].map((candidate) =>
        readOrCreateFederationId(db, candidate, new Date().toISOString()),
      ),
    );
    expect(new Set(ids).size).toBe(1);
    expect(await db.selectFrom("federation_identity").selectAll().execute()).toHaveLength(1);
  });

  it("is FEDERATION_ID when set, and a gateway row keeps a peer's id", async () => {
    open = await createTestGateway(dialect, "fedset", { FEDERATION_ID: "gateway-east-1" });
    expect(open.gateway.federationId).toBe("gateway-east-1");
    const created = await open.gateway.registry.gateways.create(
      { name: "pending peer", url: "http://192.0.2.1:4444/mcp", transport: "STREAMABLEHTTP", tags: ["mdns"] },
      undefined,
      { pendingApproval: { federationId: "gateway-west-2", lastError: "wants credentials" } },
    );
    expect(created).toMatchObject({
      enabled: false,
      reachable: false,
      federationId: "gateway-west-2",
      lastError: "wants credentials",
    });
    expect((await open.gateway.registry.gateways.get(created.id)).federationId).toBe("gateway-west-2");
  });
});
