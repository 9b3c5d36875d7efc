export { BUILTIN_PLUGINS, type BuiltinPlugin, findBuiltinPlugin } from "./builtin-plugins.js";
export { createDenyListPlugin, type DenyListOptions } from "./deny-list/deny-list-plugin.js";
export { type PluginFileReport, validatePluginFile } from "./validate-plugin-file.js";
