import { describe, expect, it } from "vitest";
import { ReverseProxyError } from "../reverse-proxy-error.js";
import { toReverseProxyOptions } from "./cli-options.js";
import {
  parseEnvAssignment,
  parseGatewayUrl,
  parseLogLevel,
  parseRetries,
  parseSeconds,
} from "./option-parsers.js";

const base = {
  reconnectDelay: 1,
  maxReconnectDelay: 60,
  maxRetries: 0,
  keepalive: 30,
  logLevel: "none" as const,
};

describe("toReverseProxyOptions", () => {
  it("splits the command like a shell, dials /reverse-proxy/ws and converts seconds", () => {
    const options = toReverseProxyOptions({
      ...base,
      localStdio: `node "my server.js" --flag`,
      gateway: new URL("https://gw.example.com"),
      token: " T ",
      name: "my-server",
    });
    expect(options.command).toEqual(["node", "my server.js", "--flag"]);
    expect(options.url.href).toBe("wss://gw.example.com/reverse-proxy/ws");
    expect(options.token).toBe("T");
    expect(options.name).toBe("my-server");
    expect([options.reconnectDelayMs, options.maxReconnectDelayMs, options.heartbeatMs]).toEqual([
      1000, 60000, 30000,
    ]);
  });

  it("derives the name from the command when none is given", () => {
    const options = toReverseProxyOptions({
      ...base,
      localStdio: "uvx mcp-server-git",
      gateway: new URL("http://gw"),
    });
    expect(options.name).toBe("mcp-server-git");
    expect(options.token).toBeUndefined();
    // Without --env the local server inherits the environment as it is when it starts.
    expect(options.env).toBeUndefined();
  });

  it("passes --env on top of this process's environment, and --max-retries", () => {
    const options = toReverseProxyOptions({
      ...base,
      maxRetries: 3,
      localStdio: "cat",
      gateway: new URL("http://gw"),
      env: { CF_RP_EXTRA: "1", PATH: "/custom" },
    });
    expect(options.maxRetries).toBe(3);
    expect(options.env?.CF_RP_EXTRA).toBe("1");
    expect(options.env?.PATH).toBe("/custom");
    expect(Object.keys(options.env ?? {})).toEqual(expect.arrayContaining(Object.keys(process.env)));
  });

  it("requires the local server and the gateway", () => {
    expect(() => toReverseProxyOptions({ ...base, gateway: new URL("http://gw") })).toThrow(
      ReverseProxyError,
    );
    expect(() => toReverseProxyOptions({ ...base, localStdio: "x" })).toThrow(/--gateway/);
    expect(() =>
      toReverseProxyOptions({ ...base, localStdio: "'open", gateway: new URL("http://gw") }),
    ).toThrow(/unterminated/);
  });
});

describe("option parsers", () => {
  it("accepts http(s) and ws(s) gateway URLs only", () => {
    expect(parseGatewayUrl("wss://gw/x").href).toBe("wss://gw/x");
    expect(() => parseGatewayUrl("ftp://gw")).toThrow(/http/);
    expect(() => parseGatewayUrl("gw.example.com")).toThrow(/absolute URL/);
  });

  it("parses seconds and log levels", () => {
    expect(parseSeconds("0.5")).toBe(0.5);
    expect(() => parseSeconds("-1")).toThrow();
    expect(() => parseSeconds("")).toThrow();
    expect(parseLogLevel("WARNING")).toBe("warn");
    expect(() => parseLogLevel("loud")).toThrow();
  });

  it("parses retry counts as whole numbers", () => {
    expect(parseRetries("0")).toBe(0);
    expect(parseRetries("5")).toBe(5);
    expect(() => parseRetries("1.5")).toThrow(/whole number/);
    expect(() => parseRetries("-1")).toThrow();
    expect(() => parseRetries("")).toThrow();
  });

  it("collects repeated KEY=VALUE assignments, keeping '=' in values", () => {
    const first = parseEnvAssignment("A=1", undefined);
    expect(parseEnvAssignment("B=x=y", first)).toEqual({ A: "1", B: "x=y" });
    expect(parseEnvAssignment("A=", first)).toEqual({ A: "" });
    expect(() => parseEnvAssignment("NOVALUE", undefined)).toThrow(/KEY=VALUE/);
    expect(() => parseEnvAssignment("=1", undefined)).toThrow(/KEY=VALUE/);
  });
});
