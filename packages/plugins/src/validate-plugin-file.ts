import { readFile } from "node:fs/promises";
import { type PluginConfig, parsePluginConfigs } from "@contextforge/plugin-sdk";
import { parse } from "yaml";
import { findBuiltinPlugin } from "./builtin-plugins.js";

/** The outcome of checking a plugin configuration file. */
export interface PluginFileReport {
  readonly plugins: readonly PluginConfig[];
  readonly problems: readonly string[];
}

/**
 * Reads a plugin configuration file (YAML or JSON with a top-level `plugins:` list), validates
 * every entry, and for built-in kinds also their `config:`. Returns problems instead of throwing.
 */
export async function validatePluginFile(path: string): Promise<PluginFileReport> {
  let document: unknown;
  try {
    document = parse(await readFile(path, "utf8"));
  } catch (error) {
    return { plugins: [], problems: [`${path}: ${(error as Error).message}`] };
  }
  const list = (document as { plugins?: unknown } | null)?.plugins;
  if (!Array.isArray(list))
    return { plugins: [], problems: [`${path}: expected a top-level "plugins:" list`] };
  let plugins: PluginConfig[];
  try {
    plugins = parsePluginConfigs(list);
  } catch (error) {
    const problems = (error as { problems?: readonly string[] }).problems ?? [(error as Error).message];
    return { plugins: [], problems };
  }
  const problems: string[] = [];
  for (const plugin of plugins) {
    const builtin = findBuiltinPlugin(plugin.kind);
    if (!builtin) continue;
    const unsupported = plugin.hooks.filter((hook) => !builtin.hooks.includes(hook));
    if (unsupported.length > 0)
      problems.push(`${plugin.name}: kind ${plugin.kind} does not implement ${unsupported.join(", ")}`);
    try {
      builtin.create(plugin.config);
    } catch (error) {
      problems.push(`${plugin.name}: ${(error as Error).message}`);
    }
  }
  return { plugins, problems };
}
