import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { GatewayRead } from "../registry/gateways/gateway-schema.js";
import { MdnsFederation } from "./mdns.js";
import type { MdnsPeer } from "./mdns-peer.js";
import type { PeerRegistrar } from "./mdns-registrar.js";

/** A registrar that records what it was asked; `known` peers count as registered already. */
function fakeRegistrar(known: string[] = [], failures = 0) {
  const registered: { peer: MdnsPeer; approve: boolean }[] = [];
  let failing = failures;
  const registrar: PeerRegistrar = {
    isKnown: async (peer) => known.includes(peer.url),
    register: async (peer, approve) => {
      if (failing-- > 0) throw new Error("database busy");
      registered.push({ peer, approve });
      return { id: "g1", name: peer.name, enabled: approve } as GatewayRead;
    },
  };
  return { registrar, registered };
}

function federation(
  registrar: PeerRegistrar,
  autoApprove = false,
  mayRegister?: () => boolean,
): MdnsFederation {
  return new MdnsFederation({
    ...(mayRegister ? { mayRegister } : {}),
    advertise: false,
    discover: false,
    autoApprove,
    serviceName: "self",
    port: 4444,
    advertisement: { url: undefined, path: "/mcp", federationId: "self-id", protocolVersions: [] },
    registrar,
    logger: pino({ level: "silent" }),
  });
}

const record = (id: string, port = 5000) => ({
  name: `gw-${id}`,
  port,
  addresses: ["192.0.2.5"],
  txt: { id, path: "/mcp", versions: "2025-11-25,2026-07-28" },
});

describe("MdnsFederation.handleService", () => {
  it("registers nothing while another replica leads, and what it found once it leads", async () => {
    const { registrar, registered } = fakeRegistrar();
    let leader = false;
    const mdns = federation(registrar, false, () => leader);
    await mdns.handleService(record("peer-1"));
    await mdns.handleService(record("peer-2"));
    mdns.retryDeferred();
    await mdns.close();
    expect(registered).toEqual([]);
    const next = federation(registrar, false, () => leader);
    await next.handleService(record("peer-1"));
    leader = true;
    next.retryDeferred();
    await next.handleService(record("peer-2"));
    await next.close();
    expect(registered.map((r) => r.peer.federationId).sort()).toEqual(["peer-1", "peer-2"]);
  });

  it("registers a peer once, pending approval, and never itself", async () => {
    const { registrar, registered } = fakeRegistrar();
    const mdns = federation(registrar);
    await mdns.handleService(record("self-id"));
    await Promise.all([mdns.handleService(record("peer-1")), mdns.handleService(record("peer-1"))]);
    expect(registered).toEqual([
      {
        peer: {
          name: "gw-peer-1",
          url: "http://192.0.2.5:5000/mcp",
          federationId: "peer-1",
          protocolVersions: ["2025-11-25", "2026-07-28"],
        },
        approve: false,
      },
    ]);
    await mdns.close();
  });

  it("approves with auto-approve, skips peers registered already, and retries after a failure", async () => {
    const { registrar, registered } = fakeRegistrar(["http://192.0.2.5:6000/mcp"], 1);
    const mdns = federation(registrar, true);
    await mdns.handleService(record("known", 6000));
    await mdns.handleService(record("peer-2"));
    expect(registered).toEqual([]);
    await mdns.handleService(record("peer-2"));
    expect(registered.map((r) => [r.peer.federationId, r.approve])).toEqual([["peer-2", true]]);
    await mdns.close();
  });
});
