export {
  definePlugin,
  type HookContext,
  type HookHandler,
  type Plugin,
  PluginDefinitionError,
  type PluginHooks,
} from "./define-plugin.js";
export {
  HOOK_NAMES,
  type HookName,
  type HookPayloads,
  isHookName,
  type PromptPostFetchPayload,
  type PromptPreFetchPayload,
  type ResourcePostFetchPayload,
  type ResourcePreFetchPayload,
  type ToolPostInvokePayload,
  type ToolPreInvokePayload,
} from "./hooks.js";
export {
  type PluginConditions,
  type PluginConfig,
  PluginConfigError,
  type PluginMode,
  parsePluginConfigs,
  pluginConfigSchema,
} from "./plugin-config.js";
export { allow, deny, modify, type PluginResult, type PluginViolation } from "./plugin-result.js";
