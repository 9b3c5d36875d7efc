/** The points in the gateway's request path where plugins run, in ContextForge's names. */
export const HOOK_NAMES = [
  "prompt_pre_fetch",
  "prompt_post_fetch",
  "tool_pre_invoke",
  "tool_post_invoke",
  "resource_pre_fetch",
  "resource_post_fetch",
] as const;

/** One of {@link HOOK_NAMES}. */
export type HookName = (typeof HOOK_NAMES)[number];

/** Before a tool call reaches its upstream: the exposed tool name and the call's arguments. */
export interface ToolPreInvokePayload {
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
}

/** After the upstream answered: the tool name and its `CallToolResult`. */
export interface ToolPostInvokePayload {
  readonly name: string;
  readonly result: unknown;
}

/** Before a prompt is rendered: its name and arguments. */
export interface PromptPreFetchPayload {
  readonly name: string;
  readonly args: Readonly<Record<string, string>>;
}

/** After a prompt was rendered: its name and `GetPromptResult`. */
export interface PromptPostFetchPayload {
  readonly name: string;
  readonly result: unknown;
}

/** Before a resource is read: its URI. */
export interface ResourcePreFetchPayload {
  readonly uri: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** After a resource was read: its URI and `ReadResourceResult`. */
export interface ResourcePostFetchPayload {
  readonly uri: string;
  readonly content: unknown;
}

/** The payload type each hook receives and may modify. */
export interface HookPayloads {
  prompt_pre_fetch: PromptPreFetchPayload;
  prompt_post_fetch: PromptPostFetchPayload;
  tool_pre_invoke: ToolPreInvokePayload;
  tool_post_invoke: ToolPostInvokePayload;
  resource_pre_fetch: ResourcePreFetchPayload;
  resource_post_fetch: ResourcePostFetchPayload;
}

/** True when `name` is one of the hooks the gateway runs. */
export function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}
