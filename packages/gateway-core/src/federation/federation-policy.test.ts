import { describe, expect, it } from "vitest";
import type { SnapshotServer, SnapshotTool, SnapshotUpstream } from "../registry/registry-snapshot.js";
import { VIA_META_KEY, viaChainOf } from "./federation-marker.js";
import { createFederationPolicy, FEDERATION_REFUSED } from "./federation-policy.js";

const policy = createFederationPolicy({ selfId: () => "self", maxHops: 2 });

function tool(name: string, federationId: string | undefined): SnapshotTool {
  return {
    name,
    upstream: { federationId } as SnapshotUpstream,
  } as SnapshotTool;
}

const server: SnapshotServer = {
  id: "",
  name: "all",
  exposeOriginalNames: false,
  ownership: { visibility: "public", teamId: null, ownerEmail: null },
  tools: [tool("local", undefined), tool("from-b", "b"), tool("from-c", "c")],
  resources: [],
  prompts: [],
};

const refusal = (run: () => void) => {
  try {
    run();
  } catch (error) {
    return error as { code: number; data: unknown };
  }
  return undefined;
};

describe("federation policy", () => {
  it("refuses a chain longer than the hop limit, whatever the method", () => {
    expect(refusal(() => policy.admit(["a", "b"]))).toBeUndefined();
    expect(refusal(() => policy.admit(["a", "b", "c"]))).toMatchObject({
      code: FEDERATION_REFUSED,
      data: { reason: "max_hops", maxHops: 2 },
    });
  });

  it("refuses to forward a request that passed this gateway, or back to a gateway it passed", () => {
    expect(refusal(() => policy.checkForward(undefined, "b"))).toBeUndefined();
    expect(refusal(() => policy.checkForward(["a"], "b"))).toBeUndefined();
    expect(refusal(() => policy.checkForward(["a", "self"], undefined))).toMatchObject({
      data: { reason: "loop", gatewayId: "self" },
    });
    expect(refusal(() => policy.checkForward(["b"], "b"))).toMatchObject({
      data: { reason: "loop", gatewayId: "self", peer: "b" },
    });
  });

  it("lists to a peer without what came from any gateway of its chain, computed once", () => {
    expect(policy.withoutPeers(server, undefined)).toBe(server);
    expect(policy.withoutPeers(server, ["x"])).toBe(server);
    const forB = policy.withoutPeers(server, ["x", "b"]);
    expect(forB.tools.map((t) => t.name)).toEqual(["local", "from-c"]);
    expect(policy.withoutPeers(server, ["b"])).toBe(forB);
    expect(policy.withoutPeers(server, ["c", "b"]).tools.map((t) => t.name)).toEqual(["local"]);
  });

  it("appends itself to the chain it forwards", () => {
    expect(policy.forwardMeta(undefined)).toEqual({ [VIA_META_KEY]: ["self"] });
    expect(policy.forwardMeta(["a"])).toEqual({ [VIA_META_KEY]: ["a", "self"] });
  });
});

describe("viaChainOf", () => {
  it("reads the chain, and refuses a malformed one with -32602", () => {
    expect(viaChainOf(undefined)).toBeUndefined();
    expect(viaChainOf({ other: 1 })).toBeUndefined();
    expect(viaChainOf({ [VIA_META_KEY]: ["a", "b"] })).toEqual(["a", "b"]);
    expect(refusal(() => viaChainOf({ [VIA_META_KEY]: "a" }))).toMatchObject({ code: -32602 });
    expect(refusal(() => viaChainOf({ [VIA_META_KEY]: ["a b"] }))).toMatchObject({ code: -32602 });
  });
});
