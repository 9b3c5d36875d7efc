import { describe, expect, it } from "vitest";
import { createDenyListPlugin } from "./deny-list-plugin.js";

const context = { requestId: "r1", signal: new AbortController().signal };

describe("deny_list plugin", () => {
  const plugin = createDenyListPlugin({ words: ["Crap", " secret plan "] });

  it("blocks a tool call whose nested arguments contain a denied word, case-insensitively", async () => {
    const result = await plugin.hooks.tool_pre_invoke?.(
      { name: "search", args: { query: { terms: ["what", "the CRAP"] } } },
      context,
    );
    expect(result).toMatchObject({
      continueProcessing: false,
      violation: { code: "DENY_LIST", details: { word: "crap" } },
    });
  });

  it("blocks prompt arguments with a denied phrase and lets clean ones through", async () => {
    expect(
      await plugin.hooks.prompt_pre_fetch?.({ name: "p", args: { a: "the Secret Plan" } }, context),
    ).toMatchObject({
      continueProcessing: false,
    });
    expect(await plugin.hooks.prompt_pre_fetch?.({ name: "p", args: { a: "hello" } }, context)).toEqual({
      continueProcessing: true,
    });
  });

  it("refuses an empty word list", () => {
    expect(() => createDenyListPlugin({ words: [" "] })).toThrow(/at least one word/);
  });
});
