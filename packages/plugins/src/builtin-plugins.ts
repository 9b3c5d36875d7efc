import type { HookName, Plugin } from "@contextforge/plugin-sdk";
import { z } from "zod";
import { createDenyListPlugin } from "./deny-list/deny-list-plugin.js";

/** A plugin that ships with the gateway, addressed by `kind` in the plugin configuration. */
export interface BuiltinPlugin {
  readonly kind: string;
  readonly description: string;
  readonly hooks: readonly HookName[];
  /** Validates `config:` and builds the plugin; throws with a clear message on bad config. */
  readonly create: (config: Readonly<Record<string, unknown>>) => Plugin;
}

const denyListConfig = z.strictObject({ words: z.array(z.string().min(1)).min(1) });

/** Every built-in plugin, by kind. */
export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [
  {
    kind: "deny_list",
    description: "Blocks prompts and tool calls whose arguments contain denied words",
    hooks: ["prompt_pre_fetch", "tool_pre_invoke"],
    create: (config) => {
      const parsed = denyListConfig.safeParse(config);
      if (!parsed.success) {
        throw new Error(
          `deny_list: ${parsed.error.issues.map((i) => `config.${i.path.join(".")}: ${i.message}`).join("; ")}`,
        );
      }
      return createDenyListPlugin(parsed.data);
    },
  },
];

/** The built-in plugin of `kind`, or undefined. */
export function findBuiltinPlugin(kind: string): BuiltinPlugin | undefined {
  return BUILTIN_PLUGINS.find((plugin) => plugin.kind === kind);
}
