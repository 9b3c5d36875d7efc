import { describe, expect, it } from "vitest";
import { loadSettings, SettingsError } from "./load-settings.js";

describe("loadSettings", () => {
  it("applies ContextForge's defaults when nothing is set", () => {
    const settings = loadSettings({});
    expect(settings).toMatchObject({ HOST: "127.0.0.1", PORT: 4444, LOG_LEVEL: "info", LOG_FORMAT: "json" });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it("reads and coerces environment values, treating empty strings as unset", () => {
    const settings = loadSettings({
      PORT: "8080",
      HOST: "",
      LOG_LEVEL: "DEBUG",
      EXPOSE_ERROR_DETAILS: "yes",
    });
    expect(settings).toMatchObject({
      PORT: 8080,
      HOST: "127.0.0.1",
      LOG_LEVEL: "debug",
      EXPOSE_ERROR_DETAILS: true,
    });
  });

  it("reports one line per invalid variable, naming it", () => {
    let caught: unknown;
    try {
      loadSettings({ PORT: "99999", LOG_FORMAT: "xml", EXPOSE_ERROR_DETAILS: "maybe" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SettingsError);
    const problems = (caught as SettingsError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith("PORT:"))).toContain("between 0 and 65535");
    expect(problems.find((p) => p.startsWith("LOG_FORMAT:"))).toContain('"xml"');
    expect(problems.find((p) => p.startsWith("EXPOSE_ERROR_DETAILS:"))).toContain("true, false");
  });
});
