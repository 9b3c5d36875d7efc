/** A JSON object as the upstream sent it (schemas, annotations, `_meta`). */
export type JsonObject = Readonly<Record<string, unknown>>;

/** An icon of a tool, resource, prompt or server (2025-11-25 and later). */
export interface UpstreamIcon {
  readonly src: string;
  readonly mimeType?: string;
  readonly sizes?: readonly string[];
  readonly theme?: string;
}

/** The server's self-description: `name` and `version`, plus whatever else it reported. */
export interface UpstreamServerInfo {
  readonly name: string;
  readonly version: string;
  readonly title?: string;
  readonly description?: string;
  readonly websiteUrl?: string;
  readonly icons?: readonly UpstreamIcon[];
  readonly [field: string]: unknown;
}

/** Behaviour hints of a tool; untrusted, as the upstream declared them. */
export interface UpstreamToolAnnotations {
  readonly title?: string;
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
  readonly [hint: string]: unknown;
}

/** A tool as the upstream lists it in `tools/list`. */
export interface UpstreamTool {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema: JsonObject;
  readonly outputSchema?: JsonObject;
  readonly annotations?: UpstreamToolAnnotations;
  /** Task support and other execution properties (2025-11-25 and later). */
  readonly execution?: JsonObject;
  readonly icons?: readonly UpstreamIcon[];
  readonly _meta?: JsonObject;
}

/** A concrete resource as the upstream lists it in `resources/list`. */
export interface UpstreamResource {
  readonly uri: string;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
  /** Size in bytes, when the upstream knows it. */
  readonly size?: number;
  readonly annotations?: JsonObject;
  readonly icons?: readonly UpstreamIcon[];
  readonly _meta?: JsonObject;
}

/** A parameterised resource as the upstream lists it in `resources/templates/list`. */
export interface UpstreamResourceTemplate {
  /** An RFC 6570 URI template. */
  readonly uriTemplate: string;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
  readonly annotations?: JsonObject;
  readonly icons?: readonly UpstreamIcon[];
  readonly _meta?: JsonObject;
}

/** One argument of a prompt. */
export interface UpstreamPromptArgument {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly required?: boolean;
}

/** A prompt as the upstream lists it in `prompts/list`. */
export interface UpstreamPrompt {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly arguments?: readonly UpstreamPromptArgument[];
  readonly icons?: readonly UpstreamIcon[];
  readonly _meta?: JsonObject;
}

/** Everything an upstream MCP server offers, as found by `discoverUpstream`. */
export interface DiscoveredUpstream {
  /** The protocol version negotiated with the upstream, e.g. `2026-07-28` or `2025-11-25`. */
  readonly protocolVersion: string;
  /**
   * As the server reported it. A 2026-07-28 server may stay anonymous (its identity is a SHOULD):
   * `name` and `version` are then empty strings.
   */
  readonly serverInfo: UpstreamServerInfo;
  /** The server's capabilities object, as reported. */
  readonly capabilities: JsonObject;
  readonly instructions?: string;
  /** Every tool, all pages; empty when the server declares no `tools` capability. */
  readonly tools: readonly UpstreamTool[];
  /** Every resource, all pages; empty without a `resources` capability. */
  readonly resources: readonly UpstreamResource[];
  /** Every resource template, all pages; empty without a `resources` capability. */
  readonly resourceTemplates: readonly UpstreamResourceTemplate[];
  /** Every prompt, all pages; empty without a `prompts` capability. */
  readonly prompts: readonly UpstreamPrompt[];
  /**
   * The `_meta` members of the first page of each list, merged (a peer ContextForge gateway names
   * itself there); empty when the server sent none.
   */
  readonly resultMeta: JsonObject;
}
