import type { Kysely } from "kysely";
import type { DatabaseSchema, ResourcesTable } from "../../db/database-schema.js";
import { newId, nowIso, toBoolean } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import { newEntityColumns, ownershipPatch } from "../shared/entity-columns.js";
import { type Db, insertRow, listRows, valueTaken } from "../shared/entity-table.js";
import type { ListQuery } from "../shared/list-query.js";
import { type EntityVersion, versionedEntityStore } from "../shared/versioned-entity.js";
import {
  type ResourceCreate,
  type ResourceRead,
  type ResourceUpdate,
  toResourceRead,
} from "./resource-schema.js";

/** A resource's content, in ContextForge's REST shape. */
export interface ResourceContent {
  readonly type: "resource";
  readonly id: string;
  readonly uri: string;
  readonly mimeType: string | null;
  readonly text?: string;
  readonly blob?: string;
}

/** A resource template, as MCP's `resources/templates/list` lists it. */
export interface ResourceTemplateRead {
  readonly id: string;
  readonly uriTemplate: string;
  readonly name: string;
  readonly description?: string;
  readonly mimeType?: string;
}

/** A stored version of a resource. */
export type ResourceVersion = EntityVersion<ResourceRead>;

/** The resource registry's logic. */
export interface ResourceService {
  list(query: ListQuery): Promise<{ items: ResourceRead[]; nextCursor: string | null }>;
  get(id: string): Promise<ResourceRead>;
  getMany(ids: readonly string[]): Promise<ResourceRead[]>;
  create(input: ResourceCreate, actor?: string): Promise<ResourceRead>;
  update(id: string, input: ResourceUpdate, actor?: string): Promise<ResourceRead>;
  setEnabled(id: string, enabled: boolean, actor?: string): Promise<ResourceRead>;
  delete(id: string): Promise<void>;
  versions(id: string): Promise<ResourceVersion[]>;
  restore(id: string, version: number, actor?: string): Promise<ResourceRead>;
  /** The content of a resource defined in the gateway. */
  read(id: string): Promise<ResourceContent>;
  /** Every enabled resource template. */
  templates(includeInactive: boolean): Promise<ResourceTemplateRead[]>;
}

/** Creates the resource service. */
export function createResourceService({ db }: { readonly db: Kysely<DatabaseSchema> }): ResourceService {
  const store = versionedEntityStore<ResourcesTable>(db, "resources", "resource", "Resource");

  const checkUri = async (tx: Db, id: string, uri: string): Promise<void> => {
    const holder = await valueTaken(tx, "resources", "uri", uri, id);
    if (holder) throw new GatewayError("conflict", `Resource URI already exists: ${uri} (id ${holder.id})`);
  };

  return {
    async list(query) {
      const page = await listRows<ResourcesTable>(db, "resources", query);
      return { items: page.rows.map(toResourceRead), nextCursor: page.nextCursor };
    },

    async get(id) {
      return toResourceRead(await store.get(db, id));
    },

    async getMany(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom("resources")
        .selectAll()
        .where("id", "in", [...ids])
        .execute();
      const byId = new Map(rows.map((r) => [r.id, toResourceRead(r)]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },

    async create(input, actor) {
      const id = newId();
      const now = nowIso();
      const row = await db.transaction().execute(async (tx) => {
        await checkUri(tx, id, input.uri);
        await insertRow<ResourcesTable>(tx, "resources", {
          id,
          uri: input.uri,
          name: input.name,
          description: input.description ?? null,
          mime_type: input.mime_type ?? "text/plain",
          size: Buffer.byteLength(input.content, "utf8"),
          uri_template: input.uri_template ?? null,
          text_content: input.content,
          binary_content: null,
          gateway_id: null,
          deleted_upstream: false,
          ...newEntityColumns(input, actor, now),
        });
        return store.snapshot(tx, id, "create", actor);
      });
      return toResourceRead(row);
    },

    async update(id, input, actor) {
      const row = await db.transaction().execute(async (tx) => {
        const current = await store.get(tx, id);
        if (current.gateway_id !== null && (input.uri !== undefined || input.content !== undefined)) {
          throw new GatewayError(
            "validation_failed",
            "uri and content of a resource discovered from a gateway cannot be changed",
          );
        }
        const patch: Partial<ResourcesTable> = {};
        if (input.uri !== undefined) {
          await checkUri(tx, id, input.uri);
          patch.uri = input.uri;
        }
        if (input.name !== undefined) patch.name = input.name;
        if (input.description !== undefined) patch.description = input.description;
        if (input.mime_type !== undefined) patch.mime_type = input.mime_type;
        if (input.uri_template !== undefined) patch.uri_template = input.uri_template;
        if (input.content !== undefined) {
          patch.text_content = input.content;
          patch.size = Buffer.byteLength(input.content, "utf8");
        }
        Object.assign(patch, ownershipPatch(input));
        return store.applyUpdate(tx, current, patch, "update", actor);
      });
      return toResourceRead(row);
    },

    async setEnabled(id, enabled, actor) {
      return toResourceRead(await store.setEnabled(id, enabled, actor));
    },

    delete: (id) => store.delete(id),

    async versions(id) {
      return (await store.versions(id)).map(({ row, ...meta }) => ({
        ...meta,
        definition: toResourceRead(row),
      }));
    },

    async restore(id, version, actor) {
      return toResourceRead(
        await store.restore(id, version, actor, async (tx, definition) => {
          const clash = await valueTaken(tx, "resources", "uri", definition.uri, id);
          if (clash)
            throw new GatewayError(
              "conflict",
              `cannot restore: the URI ${definition.uri} is now used by resource ${clash.id}`,
            );
        }),
      );
    },

    async read(id) {
      const row = await store.get(db, id);
      if (!toBoolean(row.enabled))
        throw new GatewayError("not_found", `Resource not found: ${id} (inactive)`);
      const base = { type: "resource" as const, id: row.id, uri: row.uri, mimeType: row.mime_type };
      if (row.text_content !== null) return { ...base, text: row.text_content };
      if (row.binary_content !== null)
        return { ...base, blob: Buffer.from(row.binary_content).toString("base64") };
      throw new GatewayError(
        "bad_request",
        `resource ${row.uri} is served by its gateway: read it over MCP (resources/read)`,
      );
    },

    async templates(includeInactive) {
      let q = db.selectFrom("resources").selectAll().where("uri_template", "is not", null);
      if (!includeInactive) q = q.where("enabled", "=", true);
      const rows = await q.orderBy("created_at").orderBy("id").execute();
      return rows.map((row) => ({
        id: row.id,
        uriTemplate: row.uri_template as string,
        name: row.name,
        ...(row.description ? { description: row.description } : {}),
        ...(row.mime_type ? { mimeType: row.mime_type } : {}),
      }));
    },
  };
}
