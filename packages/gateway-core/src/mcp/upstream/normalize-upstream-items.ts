import type {
  Implementation,
  Prompt,
  Resource,
  ResourceTemplateType,
  Tool,
} from "@modelcontextprotocol/client";
import type {
  UpstreamPrompt,
  UpstreamResource,
  UpstreamResourceTemplate,
  UpstreamServerInfo,
  UpstreamTool,
} from "./upstream-catalog.js";

/**
 * Copies the given fields, leaving out those that are `undefined`: the results then satisfy
 * `exactOptionalPropertyTypes` and serialise the same as what the upstream sent.
 */
function definedFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}

// The SDK has validated each item against the spec schema; these keep the spec fields only, so
// list-level extras (2026 `ttlMs`, `cacheScope`) and unknown keys never reach the registry.

/** A `tools/list` item, reduced to the spec's tool fields. */
export function toUpstreamTool(tool: Tool): UpstreamTool {
  return definedFields({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    annotations: tool.annotations,
    execution: tool.execution,
    icons: tool.icons,
    _meta: tool._meta,
  }) as unknown as UpstreamTool;
}

/** A `resources/list` item, reduced to the spec's resource fields. */
export function toUpstreamResource(resource: Resource): UpstreamResource {
  return definedFields({
    uri: resource.uri,
    name: resource.name,
    title: resource.title,
    description: resource.description,
    mimeType: resource.mimeType,
    size: resource.size,
    annotations: resource.annotations,
    icons: resource.icons,
    _meta: resource._meta,
  }) as unknown as UpstreamResource;
}

/** A `resources/templates/list` item, reduced to the spec's template fields. */
export function toUpstreamResourceTemplate(template: ResourceTemplateType): UpstreamResourceTemplate {
  return definedFields({
    uriTemplate: template.uriTemplate,
    name: template.name,
    title: template.title,
    description: template.description,
    mimeType: template.mimeType,
    annotations: template.annotations,
    icons: template.icons,
    _meta: template._meta,
  }) as unknown as UpstreamResourceTemplate;
}

/** A `prompts/list` item, reduced to the spec's prompt fields. */
export function toUpstreamPrompt(prompt: Prompt): UpstreamPrompt {
  return definedFields({
    name: prompt.name,
    title: prompt.title,
    description: prompt.description,
    arguments: prompt.arguments?.map((argument) =>
      definedFields({
        name: argument.name,
        // Spec field (BaseMetadata) that the SDK's PromptArgument type leaves out.
        title: (argument as { title?: unknown }).title,
        description: argument.description,
        required: argument.required,
      }),
    ),
    icons: prompt.icons,
    _meta: prompt._meta,
  }) as unknown as UpstreamPrompt;
}

/**
 * The server's `serverInfo` as reported, every field kept. A 2026-07-28 server may stay anonymous:
 * `name` and `version` are then empty strings.
 */
export function toUpstreamServerInfo(info: Implementation | undefined): UpstreamServerInfo {
  return { name: "", version: "", ...definedFields({ ...info }) } as UpstreamServerInfo;
}
