import type { CommonColumns, PromptsTable, ResourcesTable, ToolsTable } from "../../db/database-schema.js";
import { newId, nowIso, toBoolean } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import type {
  DiscoveredUpstream,
  UpstreamPrompt,
  UpstreamResource,
  UpstreamResourceTemplate,
  UpstreamTool,
} from "../../mcp/upstream/upstream-discovery.js";
import { type Db, valueTaken } from "../shared/entity-table.js";
import { exposedToolName, type NameSeparator } from "../tools/exposed-tool-name.js";
import { recordVersion, type VersionedEntity } from "../versions/version-repository.js";

/** How one kind of item changed in a sync. */
export interface SyncCounts {
  added: number;
  updated: number;
  removed: number;
}

/** What a sync of one gateway did. */
export interface SyncReport {
  readonly tools: SyncCounts;
  readonly resources: SyncCounts;
  readonly prompts: SyncCounts;
  /** Items that could not be registered (e.g. a resource URI another gateway already owns). */
  readonly errors: string[];
}

/** The gateway a sync writes for. */
export interface SyncTarget {
  readonly id: string;
  readonly slug: string;
  readonly url: string;
  readonly transport: string;
  readonly visibility: string;
  readonly teamId: string | null;
  readonly ownerEmail: string | null;
  /** Items keep the upstream's own names (no slug prefix). */
  readonly exposeOriginalNames: boolean;
}

interface SyncContext {
  readonly tx: Db;
  readonly gateway: SyncTarget;
  readonly separator: NameSeparator;
  readonly actor: string | undefined;
}

const zero = (): SyncCounts => ({ added: 0, updated: 0, removed: 0 });

/** An exposed name unique in `table`: the plain form, or one with a hash when it is taken. */
async function exposedName(
  ctx: SyncContext,
  table: "tools" | "prompts",
  id: string,
  name: string,
): Promise<string> {
  if (ctx.gateway.exposeOriginalNames) {
    // The upstream's own name, as it is: a clash cannot be renamed away without defeating the point.
    if (await valueTaken(ctx.tx, table, "name", name, id)) {
      throw new GatewayError(
        "conflict",
        `${table === "tools" ? "tool" : "prompt"} name ${JSON.stringify(name)} is already exposed by another gateway; ` +
          "give it a custom name or register this gateway without expose_original_names",
      );
    }
    return name;
  }
  const plain = exposedToolName({ gatewaySlug: ctx.gateway.slug, name, separator: ctx.separator });
  if (!(await valueTaken(ctx.tx, table, "name", plain, id))) return plain;
  return exposedToolName({
    gatewaySlug: ctx.gateway.slug,
    name,
    separator: ctx.separator,
    disambiguator: id,
  });
}

function commonNew(ctx: SyncContext, now: string) {
  return {
    tags: "[]",
    enabled: true,
    team_id: ctx.gateway.teamId,
    owner_email: ctx.gateway.ownerEmail,
    visibility: ctx.gateway.visibility,
    created_at: now,
    updated_at: now,
    created_by: ctx.actor ?? null,
    modified_by: ctx.actor ?? null,
    version: 1,
    deleted_upstream: false,
  };
}

/**
 * Writes `row` as a new item or as the next version of `existing` when anything changed, and
 * records the version. Returns what happened.
 */
async function upsert<Row extends { id: string; version: number }>(
  ctx: SyncContext,
  table: "tools" | "resources" | "prompts",
  entityType: VersionedEntity,
  existing: Row | undefined,
  fresh: Omit<Row, "version"> & Partial<Pick<Row, "version">>,
  changed: (before: Row) => boolean,
): Promise<"added" | "updated" | "unchanged"> {
  if (existing && !changed(existing)) return "unchanged";
  const now = nowIso();
  let version = 1;
  if (existing) {
    version = existing.version + 1;
    const {
      id: _id,
      created_at: _c,
      created_by: _cb,
      version: _v,
      ...patch
    } = fresh as Record<string, unknown>;
    await ctx.tx
      .updateTable(table)
      .set({ ...patch, version, updated_at: now, modified_by: ctx.actor ?? null } as never)
      .where("id", "=", existing.id)
      .execute();
  } else {
    await ctx.tx
      .insertInto(table)
      .values({ ...fresh, version } as never)
      .execute();
  }
  const row = await ctx.tx.selectFrom(table).selectAll().where("id", "=", fresh.id).executeTakeFirstOrThrow();
  await recordVersion(ctx.tx, {
    entityType,
    entityId: fresh.id,
    version,
    change: existing ? "refresh" : "create",
    definition: row,
    changedBy: ctx.actor,
  });
  return existing ? "updated" : "added";
}

async function markRemoved(
  ctx: SyncContext,
  table: "tools" | "resources" | "prompts",
  ids: string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  await ctx.tx
    .updateTable(table)
    .set({ deleted_upstream: true, updated_at: nowIso() } as never)
    .where("id", "in", ids)
    .execute();
  return ids.length;
}

function tally(counts: SyncCounts, outcome: "added" | "updated" | "unchanged"): void {
  if (outcome !== "unchanged") counts[outcome] += 1;
}

async function syncTools(ctx: SyncContext, tools: readonly UpstreamTool[]): Promise<SyncCounts> {
  const counts = zero();
  const existing = await ctx.tx
    .selectFrom("tools")
    .selectAll()
    .where("gateway_id", "=", ctx.gateway.id)
    .execute();
  const byName = new Map(existing.map((t) => [t.original_name, t]));
  for (const tool of tools) {
    const before = byName.get(tool.name);
    byName.delete(tool.name);
    const id = before?.id ?? newId();
    const now = nowIso();
    const fresh: Omit<ToolsTable, "version"> = {
      ...commonColumns(ctx, now, before),
      id,
      original_name: tool.name,
      custom_name: before?.custom_name ?? null,
      name: await exposedName(ctx, "tools", id, before?.custom_name ?? tool.name),
      display_name: tool.title ?? tool.annotations?.title ?? null,
      description: tool.description ?? null,
      input_schema: JSON.stringify(tool.inputSchema),
      output_schema: tool.outputSchema ? JSON.stringify(tool.outputSchema) : null,
      annotations: JSON.stringify(tool.annotations ?? {}),
      integration_type: "MCP",
      request_type: ctx.gateway.transport,
      url: ctx.gateway.url,
      headers: null,
      auth_type: null,
      auth_value: null,
      jsonpath_filter: null,
      gateway_id: ctx.gateway.id,
      reachable: true,
    };
    tally(
      counts,
      await upsert(
        ctx,
        "tools",
        "tool",
        before,
        fresh,
        (b) =>
          differs(b, fresh, [
            "name",
            "display_name",
            "description",
            "input_schema",
            "output_schema",
            "annotations",
            "request_type",
            "url",
          ]) || toBoolean(b.deleted_upstream),
      ),
    );
  }
  counts.removed = await markRemoved(
    ctx,
    "tools",
    [...byName.values()].filter((t) => !toBoolean(t.deleted_upstream)).map((t) => t.id),
  );
  return counts;
}

async function syncResources(
  ctx: SyncContext,
  resources: readonly UpstreamResource[],
  templates: readonly UpstreamResourceTemplate[],
  errors: string[],
): Promise<SyncCounts> {
  const counts = zero();
  const existing = await ctx.tx
    .selectFrom("resources")
    .selectAll()
    .where("gateway_id", "=", ctx.gateway.id)
    .execute();
  const byUri = new Map(existing.map((r) => [r.uri, r]));
  const items = [
    ...resources.map((r) => ({ ...r, template: null as string | null })),
    ...templates.map((t) => ({
      ...t,
      uri: t.uriTemplate,
      template: t.uriTemplate as string | null,
      size: undefined,
    })),
  ];
  for (const item of items) {
    const before = byUri.get(item.uri);
    byUri.delete(item.uri);
    const id = before?.id ?? newId();
    if (!before) {
      const owner = await valueTaken(ctx.tx, "resources", "uri", item.uri);
      if (owner) {
        errors.push(`resource ${item.uri} skipped: the URI is already registered (resource ${owner.id})`);
        continue;
      }
    }
    const now = nowIso();
    const fresh: Omit<ResourcesTable, "version"> = {
      ...commonColumns(ctx, now, before),
      id,
      uri: item.uri,
      name: (item.title ?? item.name).slice(0, 255),
      description: item.description ?? null,
      mime_type: item.mimeType ?? null,
      size: item.size ?? null,
      uri_template: item.template,
      text_content: null,
      binary_content: null,
      gateway_id: ctx.gateway.id,
    };
    tally(
      counts,
      await upsert(
        ctx,
        "resources",
        "resource",
        before,
        fresh,
        (b) =>
          differs(b, fresh, ["name", "description", "mime_type", "size", "uri_template"]) ||
          toBoolean(b.deleted_upstream),
      ),
    );
  }
  counts.removed = await markRemoved(
    ctx,
    "resources",
    [...byUri.values()].filter((r) => !toBoolean(r.deleted_upstream)).map((r) => r.id),
  );
  return counts;
}

async function syncPrompts(ctx: SyncContext, prompts: readonly UpstreamPrompt[]): Promise<SyncCounts> {
  const counts = zero();
  const existing = await ctx.tx
    .selectFrom("prompts")
    .selectAll()
    .where("gateway_id", "=", ctx.gateway.id)
    .execute();
  const byName = new Map(existing.map((p) => [p.original_name, p]));
  for (const prompt of prompts) {
    const before = byName.get(prompt.name);
    byName.delete(prompt.name);
    const id = before?.id ?? newId();
    const now = nowIso();
    const fresh: Omit<PromptsTable, "version"> = {
      ...commonColumns(ctx, now, before),
      id,
      original_name: prompt.name,
      custom_name: before?.custom_name ?? null,
      display_name: prompt.title ?? null,
      name: await exposedName(ctx, "prompts", id, before?.custom_name ?? prompt.name),
      description: prompt.description ?? null,
      template: "",
      arguments: JSON.stringify(
        (prompt.arguments ?? []).map((a) => ({
          name: a.name,
          ...(a.description ? { description: a.description } : {}),
          required: a.required ?? false,
        })),
      ),
      gateway_id: ctx.gateway.id,
    };
    tally(
      counts,
      await upsert(
        ctx,
        "prompts",
        "prompt",
        before,
        fresh,
        (b) =>
          differs(b, fresh, ["name", "display_name", "description", "arguments"]) ||
          toBoolean(b.deleted_upstream),
      ),
    );
  }
  counts.removed = await markRemoved(
    ctx,
    "prompts",
    [...byName.values()].filter((p) => !toBoolean(p.deleted_upstream)).map((p) => p.id),
  );
  return counts;
}

/**
 * Brings the gateway's tools (and, when asked, resources and prompts) in line with what the
 * upstream offers now: new items are added, changed ones get a new version, vanished ones are
 * marked `deleted_upstream` (kept, so virtual servers and history survive an upstream blip).
 */
export async function syncGateway(
  tx: Db,
  gateway: SyncTarget,
  discovered: DiscoveredUpstream,
  options: { separator: NameSeparator; actor: string | undefined; resources: boolean; prompts: boolean },
): Promise<SyncReport> {
  const ctx: SyncContext = { tx, gateway, separator: options.separator, actor: options.actor };
  const errors: string[] = [];
  return {
    tools: await syncTools(ctx, discovered.tools),
    resources: options.resources
      ? await syncResources(ctx, discovered.resources, discovered.resourceTemplates, errors)
      : zero(),
    prompts: options.prompts ? await syncPrompts(ctx, discovered.prompts) : zero(),
    errors,
  };
}

// What a refresh keeps of an existing item: the user's state and the item's origin.
const KEPT_ON_REFRESH = [
  "tags",
  "enabled",
  "team_id",
  "owner_email",
  "visibility",
  "created_at",
  "created_by",
] as const;

/** The common columns of a synced item: new defaults, with what a refresh keeps of `before`. */
function commonColumns(ctx: SyncContext, now: string, before: CommonColumns | undefined) {
  return { ...commonNew(ctx, now), ...(before ? pick(before, KEPT_ON_REFRESH) : {}) };
}

function pick<T extends object, K extends keyof T>(row: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) out[key] = row[key];
  return out;
}

function differs<T>(before: T, after: Partial<T>, keys: readonly (keyof T)[]): boolean {
  return keys.some((key) => (before[key] ?? null) !== (after[key] ?? null));
}

/** After a gateway is renamed, its tools and prompts are exposed under the new slug. */
export async function renameGatewayItems(
  tx: Db,
  gateway: SyncTarget,
  separator: NameSeparator,
  actor: string | undefined,
): Promise<void> {
  const ctx: SyncContext = { tx, gateway, separator, actor };
  for (const [table, entityType] of [
    ["tools", "tool"],
    ["prompts", "prompt"],
  ] as const) {
    const rows = await tx.selectFrom(table).selectAll().where("gateway_id", "=", gateway.id).execute();
    for (const row of rows) {
      const name = await exposedName(ctx, table, row.id, row.custom_name ?? row.original_name);
      if (name === row.name) continue;
      await upsert(ctx, table, entityType, row as never, { ...row, name } as never, () => true);
    }
  }
}
