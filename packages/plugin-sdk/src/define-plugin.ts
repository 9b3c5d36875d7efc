import { type HookName, type HookPayloads, isHookName } from "./hooks.js";
import type { PluginResult } from "./plugin-result.js";

/** What a hook handler is given besides its payload. */
export interface HookContext {
  /** The id of the request being processed, for logs and correlation. */
  readonly requestId: string;
  /** The authenticated caller's email or id, when known. */
  readonly user?: string;
  /** The virtual server the request came through, when any. */
  readonly serverId?: string;
  /** Aborted when the client cancelled the request or the gateway timed the hook out. */
  readonly signal: AbortSignal;
}

/** A handler for hook `H`. */
export type HookHandler<H extends HookName> = (
  payload: HookPayloads[H],
  context: HookContext,
) => PluginResult<HookPayloads[H]> | Promise<PluginResult<HookPayloads[H]>>;

/** The hooks a plugin implements. */
export type PluginHooks = { readonly [H in HookName]?: HookHandler<H> };

/** A plugin as the gateway loads it. */
export interface Plugin {
  readonly name: string;
  readonly description?: string;
  readonly hooks: PluginHooks;
  /** Called once when the gateway stops or reloads the plugin. */
  readonly close?: () => void | Promise<void>;
}

/** Raised for a plugin definition the gateway could never run. */
export class PluginDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PluginDefinitionError";
  }
}

/**
 * Checks a plugin definition once, when it is defined, so that a typo in a hook name or a
 * plugin without hooks fails at load time rather than silently never running.
 */
export function definePlugin(plugin: Plugin): Plugin {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(plugin.name)) {
    throw new PluginDefinitionError(
      `plugin name ${JSON.stringify(plugin.name)} must start with a letter and use at most 64 letters, digits, "_" or "-"`,
    );
  }
  const names = Object.keys(plugin.hooks);
  const unknown = names.filter((name) => !isHookName(name));
  if (unknown.length > 0) {
    throw new PluginDefinitionError(`plugin ${plugin.name}: unknown hook(s) ${unknown.join(", ")}`);
  }
  if (names.length === 0) throw new PluginDefinitionError(`plugin ${plugin.name} implements no hook`);
  for (const name of names) {
    if (typeof (plugin.hooks as Record<string, unknown>)[name] !== "function") {
      throw new PluginDefinitionError(`plugin ${plugin.name}: hook ${name} is not a function`);
    }
  }
  return Object.freeze({ ...plugin, hooks: Object.freeze({ ...plugin.hooks }) });
}
