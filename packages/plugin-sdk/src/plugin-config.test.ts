import { describe, expect, it } from "vitest";
import { PluginConfigError, parsePluginConfigs } from "./plugin-config.js";

describe("parsePluginConfigs", () => {
  it("fills in ContextForge's defaults", () => {
    const [config] = parsePluginConfigs([{ name: "deny", kind: "deny_list", hooks: ["prompt_pre_fetch"] }]);
    expect(config).toEqual({
      name: "deny",
      kind: "deny_list",
      hooks: ["prompt_pre_fetch"],
      tags: [],
      mode: "enforce",
      priority: 100,
      conditions: [],
      config: {},
    });
  });

  it("names every bad field by its path", () => {
    let caught: unknown;
    try {
      parsePluginConfigs([
        { name: "ok", kind: "x", hooks: ["tool_pre_invoke"] },
        { name: "bad", kind: "x", hooks: ["tool_pre"], mode: "loud", extra: 1 },
      ]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PluginConfigError);
    const problems = (caught as PluginConfigError).problems.join("\n");
    expect(problems).toMatch(/plugins\[1\]\.hooks\[0\]/);
    expect(problems).toMatch(/plugins\[1\]\.mode/);
    expect(problems).toMatch(/extra/);
  });

  it("rejects duplicate plugin names", () => {
    const entry = { name: "same", kind: "x", hooks: ["tool_pre_invoke"] };
    expect(() => parsePluginConfigs([entry, entry])).toThrow(/duplicate name "same"/);
  });
});
