import { describe, expect, it } from "vitest";
import { defaultServerName, tunnelUrl } from "./tunnel-url.js";

describe("tunnelUrl", () => {
  it("dials /reverse-proxy/ws over ws(s) for a gateway root", () => {
    expect(tunnelUrl(new URL("https://gw.example.com")).href).toBe("wss://gw.example.com/reverse-proxy/ws");
    expect(tunnelUrl(new URL("http://127.0.0.1:4444/")).href).toBe("ws://127.0.0.1:4444/reverse-proxy/ws");
  });

  it("keeps a path prefix and a full endpoint URL as given", () => {
    expect(tunnelUrl(new URL("https://gw.example.com/prefix/")).href).toBe(
      "wss://gw.example.com/prefix/reverse-proxy/ws",
    );
    expect(tunnelUrl(new URL("wss://gw.example.com/reverse-proxy/ws?x=1")).href).toBe(
      "wss://gw.example.com/reverse-proxy/ws?x=1",
    );
  });
});

describe("defaultServerName", () => {
  it("names the server after the program, or a runner's package or script", () => {
    expect(defaultServerName(["mcp-server-git"])).toBe("mcp-server-git");
    expect(defaultServerName(["/usr/local/bin/fast-time", "--transport", "stdio"])).toBe("fast-time");
    expect(defaultServerName(["uvx", "mcp-server-git"])).toBe("mcp-server-git");
    expect(defaultServerName(["npx", "-y", "@acme/mcp-weather@1.2.0"])).toBe("mcp-weather");
    expect(defaultServerName(["node", "dist/server.js"])).toBe("server");
    expect(defaultServerName(["python3"])).toBe("python3");
  });
});
