import { describe, expect, it } from "vitest";
import { exposedToolName, MAX_EXPOSED_NAME_LENGTH, slugify } from "./exposed-tool-name.js";

describe("slugify", () => {
  it("follows ContextForge's examples", () => {
    expect(slugify("Hello World")).toBe("hello-world");
    expect(slugify("Café & Restaurant")).toBe("cafe-restaurant");
    expect(slugify("user@example.com")).toBe("user-example-com");
    expect(slugify("get_weather")).toBe("get-weather");
    expect(slugify("Don't Stop")).toBe("dont-stop");
    expect(slugify("Straße ærø")).toBe("strasse-aero");
    expect(slugify("__x__", "_")).toBe("x");
    expect(slugify("a b", ".")).toBe("a.b");
  });
});

describe("exposedToolName", () => {
  it("prefixes the gateway slug with the separator", () => {
    expect(exposedToolName({ gatewaySlug: "fast-time", name: "get_system_time", separator: "-" })).toBe(
      "fast-time-get-system-time",
    );
    expect(exposedToolName({ name: "Weather API", separator: "_" })).toBe("weather_api");
  });

  it("shortens long names deterministically to at most 64 characters", () => {
    const long = `${"very_long_tool_name_".repeat(5)}end`;
    const a = exposedToolName({ gatewaySlug: "gw", name: long, separator: "-" });
    expect(a.length).toBeLessThanOrEqual(MAX_EXPOSED_NAME_LENGTH);
    expect(a).toBe(exposedToolName({ gatewaySlug: "gw", name: long, separator: "-" }));
    const b = exposedToolName({ gatewaySlug: "gw", name: `${long}2`, separator: "-" });
    expect(b).not.toBe(a);
    expect(a.startsWith("gw-very-long-tool-name")).toBe(true);
  });

  it("gives a different, stable name when asked to disambiguate", () => {
    const plain = exposedToolName({ gatewaySlug: "gw", name: "get-weather", separator: "-" });
    const other = exposedToolName({
      gatewaySlug: "gw",
      name: "get_weather",
      separator: "-",
      disambiguator: "t2",
    });
    expect(plain).toBe("gw-get-weather");
    expect(other).toMatch(/^gw-get-weather-[0-9a-f]{8}$/);
    expect(other).toBe(
      exposedToolName({ gatewaySlug: "gw", name: "get_weather", separator: "-", disambiguator: "t2" }),
    );
  });

  it("never returns an empty name", () => {
    expect(exposedToolName({ name: "日本語", separator: "-" })).toMatch(/^[0-9a-f]{8}$/);
  });
});
