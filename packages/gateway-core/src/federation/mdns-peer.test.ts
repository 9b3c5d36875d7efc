import { describe, expect, it } from "vitest";
import { peerOf, txtRecordOf } from "./mdns-peer.js";

const txt = txtRecordOf({
  url: "http://127.0.0.1:4444/mcp",
  path: "/mcp",
  federationId: "id-1",
  protocolVersions: ["2025-11-25", "2026-07-28"],
});

describe("peerOf", () => {
  it("takes the advertised URL, federation id and protocol versions from the TXT record", () => {
    expect(peerOf({ name: "gw", port: 4444, addresses: ["192.0.2.7"], txt })).toEqual({
      name: "gw",
      url: "http://127.0.0.1:4444/mcp",
      federationId: "id-1",
      protocolVersions: ["2025-11-25", "2026-07-28"],
    });
  });

  it("builds the URL from the answering address when the advertised host is a wildcard or absent", () => {
    const wildcard = { ...txt, url: "http://0.0.0.0:4444/mcp" };
    expect(
      peerOf({ name: "gw", port: 5555, referer: { address: "192.0.2.9" }, addresses: [], txt: wildcard })
        ?.url,
    ).toBe("http://192.0.2.9:5555/mcp");
    const { url: _url, ...noUrl } = txt;
    expect(peerOf({ name: "gw", port: 5555, addresses: ["fe80::1", "fd00::2"], txt: noUrl })?.url).toBe(
      "http://[fd00::2]:5555/mcp",
    );
    expect(peerOf({ name: "gw", port: 5555, addresses: ["fd00::2", "192.0.2.3"], txt: noUrl })?.url).toBe(
      "http://192.0.2.3:5555/mcp",
    );
  });

  it("accepts an MCP server that is no ContextForge gateway, and ignores one it cannot dial", () => {
    expect(peerOf({ name: "other", port: 8080, addresses: ["192.0.2.4"], txt: {} })).toEqual({
      name: "other",
      url: "http://192.0.2.4:8080/mcp",
      federationId: undefined,
      protocolVersions: [],
    });
    expect(peerOf({ name: "no-address", port: 8080, addresses: ["fe80::1"], txt: {} })).toBeUndefined();
    expect(peerOf({ name: "no-port", port: 0, addresses: ["192.0.2.4"], txt: {} })).toBeUndefined();
    expect(peerOf({ name: "ftp", port: 21, txt: { url: "ftp://192.0.2.4/mcp" } })).toBeUndefined();
  });
});
