import { describe, expect, it } from "vitest";
import { definePlugin, PluginDefinitionError } from "./define-plugin.js";
import { allow, deny, modify } from "./plugin-result.js";

const context = { requestId: "r1", signal: new AbortController().signal };

describe("definePlugin", () => {
  it("returns a frozen plugin whose hooks run with typed payloads", async () => {
    const plugin = definePlugin({
      name: "upper",
      hooks: {
        tool_pre_invoke: (payload) =>
          modify({ ...payload, args: { text: String(payload.args.text).toUpperCase() } }),
      },
    });
    expect(Object.isFrozen(plugin)).toBe(true);
    const result = await plugin.hooks.tool_pre_invoke?.({ name: "echo", args: { text: "hi" } }, context);
    expect(result).toEqual({
      continueProcessing: true,
      modifiedPayload: { name: "echo", args: { text: "HI" } },
    });
  });

  it("rejects an unknown hook name at definition time", () => {
    expect(() => definePlugin({ name: "typo", hooks: { tool_pre_invok: () => allow() } as never })).toThrow(
      new PluginDefinitionError("plugin typo: unknown hook(s) tool_pre_invok"),
    );
  });

  it("rejects a plugin without hooks, a bad name and a non-function hook", () => {
    expect(() => definePlugin({ name: "empty", hooks: {} })).toThrow(/implements no hook/);
    expect(() => definePlugin({ name: "1bad", hooks: { tool_pre_invoke: () => allow() } })).toThrow(
      /must start with a letter/,
    );
    expect(() => definePlugin({ name: "nofn", hooks: { tool_pre_invoke: 42 as never } })).toThrow(
      /is not a function/,
    );
  });

  it("builds deny results carrying the violation", () => {
    expect(deny({ reason: "Blocked", description: "no", code: "X" })).toEqual({
      continueProcessing: false,
      violation: { reason: "Blocked", description: "no", code: "X" },
    });
  });
});
