import { allow, definePlugin, deny, type Plugin } from "@contextforge/plugin-sdk";

/** Settings of the deny-list plugin (`config:` in the plugin configuration file). */
export interface DenyListOptions {
  /** Words or phrases that must not appear in prompt or tool arguments (case-insensitive). */
  readonly words: readonly string[];
}

/** Every string inside `value` (objects and arrays walked), with no depth surprises. */
function collectStrings(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 32) return out;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, out, depth + 1);
  else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) collectStrings(item, out, depth + 1);
  }
  return out;
}

/**
 * Blocks prompt renders and tool calls whose arguments contain a denied word
 * (ContextForge's DenyListPlugin, extended to tool arguments).
 */
export function createDenyListPlugin(options: DenyListOptions): Plugin {
  const words = options.words.map((w) => w.trim().toLowerCase()).filter((w) => w.length > 0);
  if (words.length === 0) throw new Error("deny_list: config.words must list at least one word");

  const findDenied = (args: unknown): string | undefined => {
    const text = collectStrings(args).join("\n").toLowerCase();
    return words.find((word) => text.includes(word));
  };
  const violation = (word: string) => ({
    reason: "Prohibited content",
    description: "The request contains a word on the deny list.",
    code: "DENY_LIST",
    details: { word },
  });

  return definePlugin({
    name: "deny_list",
    description: "Blocks prompts and tool calls whose arguments contain denied words",
    hooks: {
      prompt_pre_fetch: (payload) => {
        const word = findDenied(payload.args);
        return word === undefined ? allow() : deny(violation(word));
      },
      tool_pre_invoke: (payload) => {
        const word = findDenied(payload.args);
        return word === undefined ? allow() : deny(violation(word));
      },
    },
  });
}
