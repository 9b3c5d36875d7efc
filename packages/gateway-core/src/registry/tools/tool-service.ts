import type { Kysely } from "kysely";
import type { DatabaseSchema, ToolsTable } from "../../db/database-schema.js";
import { newId, nowIso } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import type { SecretBox } from "../../security/secret-box.js";
import { authHeadersFrom, mentionsAuth } from "../shared/auth-headers.js";
import { newEntityColumns, ownershipPatch } from "../shared/entity-columns.js";
import { type Db, findRow, getRow, insertRow, listRows, valueTaken } from "../shared/entity-table.js";
import type { ListQuery } from "../shared/list-query.js";
import { type EntityVersion, gatewaySlugsOf, versionedEntityStore } from "../shared/versioned-entity.js";
import { exposedToolName, type NameSeparator, slugify } from "./exposed-tool-name.js";
import { type ToolCreate, type ToolRead, type ToolUpdate, toToolRead } from "./tool-schema.js";

/** A page of tools. */
export interface ToolPage {
  readonly items: ToolRead[];
  readonly nextCursor: string | null;
}

/** A stored version of a tool. */
export type ToolVersion = EntityVersion<ToolRead>;

/** The tool registry's logic, callable without HTTP. */
export interface ToolService {
  list(query: ListQuery): Promise<ToolPage>;
  get(id: string): Promise<ToolRead>;
  create(input: ToolCreate, actor?: string): Promise<ToolRead>;
  update(id: string, input: ToolUpdate, actor?: string): Promise<ToolRead>;
  setEnabled(id: string, enabled: boolean, actor?: string): Promise<ToolRead>;
  delete(id: string): Promise<void>;
  versions(id: string): Promise<ToolVersion[]>;
  restore(id: string, version: number, actor?: string): Promise<ToolRead>;
  /** Reads several tools at once (in the given order, unknown ids skipped). */
  getMany(ids: readonly string[]): Promise<ToolRead[]>;
}

/** Collaborators of the tool service. */
export interface ToolServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly secrets: SecretBox;
  readonly separator: NameSeparator;
  readonly maskedValue: string;
}

// Fields a tool discovered from a gateway takes from its upstream; users may not edit them.
const UPSTREAM_OWNED = ["name", "url", "request_type", "input_schema", "output_schema", "headers"] as const;

/** Creates the tool service. */
export function createToolService({ db, secrets, separator, maskedValue }: ToolServiceOptions): ToolService {
  const store = versionedEntityStore<ToolsTable>(db, "tools", "tool", "Tool");
  const gatewaySlugs = (rows: readonly ToolsTable[]): Promise<Map<string, string>> =>
    gatewaySlugsOf(db, rows);

  const read = (row: ToolsTable, slugs: Map<string, string>): ToolRead =>
    toToolRead(
      row,
      row.gateway_id ? (slugs.get(row.gateway_id) ?? null) : null,
      maskedValue,
      row.custom_name ? slugify(row.custom_name, separator) : null,
    );

  const readOne = async (row: ToolsTable): Promise<ToolRead> => read(row, await gatewaySlugs([row]));

  /**
   * The exposed name for a tool, unique among all tools. A name chosen by a user that is taken
   * is a 409; a name discovered upstream is disambiguated with a hash instead, so registering
   * a gateway never fails on a clash it cannot control.
   */
  const uniqueName = async (
    tx: Db,
    id: string,
    gatewaySlug: string | undefined,
    name: string,
    onConflict: "reject" | "disambiguate" = "reject",
  ): Promise<string> => {
    const plain = exposedToolName({ gatewaySlug, name, separator });
    const holder = await valueTaken(tx, "tools", "name", plain, id);
    if (!holder) return plain;
    if (onConflict === "reject") {
      throw new GatewayError(
        "conflict",
        holder.enabled
          ? `Tool name already exists: ${plain} (id ${holder.id})`
          : `Tool name already exists but is inactive. Consider activating it with ID: ${holder.id}`,
      );
    }
    const alternative = exposedToolName({ gatewaySlug, name, separator, disambiguator: id });
    if (await valueTaken(tx, "tools", "name", alternative, id)) {
      throw new GatewayError("conflict", `a tool named ${plain} already exists (id ${holder.id})`);
    }
    return alternative;
  };

  const sealedAuth = (
    input: ToolCreate | ToolUpdate,
  ): { auth_type: string | null; auth_value: string | null } => {
    const auth = authHeadersFrom(input, ["body", "tool"]);
    return auth
      ? { auth_type: auth.authType, auth_value: secrets.seal(JSON.stringify(auth.headers)) }
      : { auth_type: null, auth_value: null };
  };

  return {
    async list(query) {
      const page = await listRows<ToolsTable>(db, "tools", query);
      const slugs = await gatewaySlugs(page.rows);
      return { items: page.rows.map((row) => read(row, slugs)), nextCursor: page.nextCursor };
    },

    async get(id) {
      return readOne(await getRow<ToolsTable>(db, "tools", id, "Tool"));
    },

    async getMany(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom("tools")
        .selectAll()
        .where("id", "in", [...ids])
        .execute();
      const slugs = await gatewaySlugs(rows);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.flatMap((id) => {
        const row = byId.get(id);
        return row ? [read(row, slugs)] : [];
      });
    },

    async create(input, actor) {
      const id = newId();
      const now = nowIso();
      const row = await db.transaction().execute(async (tx) => {
        const name = await uniqueName(tx, id, undefined, input.name);
        await insertRow<ToolsTable>(tx, "tools", {
          id,
          original_name: input.name,
          custom_name: null,
          name,
          display_name: input.display_name ?? null,
          description: input.description ?? null,
          input_schema: JSON.stringify(input.input_schema),
          output_schema: input.output_schema ? JSON.stringify(input.output_schema) : null,
          annotations: JSON.stringify(input.annotations),
          integration_type: input.integration_type,
          request_type: input.request_type,
          url: input.url,
          headers: input.headers ? JSON.stringify(input.headers) : null,
          ...sealedAuth(input),
          jsonpath_filter: input.jsonpath_filter ?? null,
          gateway_id: null,
          reachable: true,
          deleted_upstream: false,
          ...newEntityColumns(input, actor, now),
        });
        return store.snapshot(tx, id, "create", actor);
      });
      return readOne(row);
    },

    async update(id, input, actor) {
      const row = await db.transaction().execute(async (tx) => {
        const current = await getRow<ToolsTable>(tx, "tools", id, "Tool");
        if (current.gateway_id !== null) {
          const owned = UPSTREAM_OWNED.filter((field) => input[field] !== undefined);
          if (owned.length > 0 || mentionsAuth(input)) {
            throw new GatewayError(
              "validation_failed",
              `${[...owned, ...(mentionsAuth(input) ? ["auth"] : [])].join(", ")} of a tool discovered from a gateway cannot be changed; use custom_name to rename it`,
            );
          }
        }
        const patch: Partial<ToolsTable> = {};
        if (input.name !== undefined) patch.original_name = input.name;
        if (input.custom_name !== undefined) patch.custom_name = input.custom_name;
        if (input.name !== undefined || input.custom_name !== undefined) {
          const gatewaySlug = current.gateway_id
            ? (await gatewaySlugs([current])).get(current.gateway_id)
            : undefined;
          const base = patch.custom_name ?? (input.custom_name === null ? null : current.custom_name);
          patch.name = await uniqueName(
            tx,
            id,
            gatewaySlug,
            base ?? patch.original_name ?? current.original_name,
          );
        }
        if (input.display_name !== undefined) patch.display_name = input.display_name;
        if (input.description !== undefined) patch.description = input.description;
        if (input.url !== undefined) patch.url = input.url;
        if (input.request_type !== undefined) patch.request_type = input.request_type;
        if (input.headers !== undefined) patch.headers = JSON.stringify(input.headers);
        if (input.input_schema !== undefined) patch.input_schema = JSON.stringify(input.input_schema);
        if (input.output_schema !== undefined) {
          patch.output_schema = input.output_schema ? JSON.stringify(input.output_schema) : null;
        }
        if (input.annotations !== undefined) patch.annotations = JSON.stringify(input.annotations);
        if (input.jsonpath_filter !== undefined) patch.jsonpath_filter = input.jsonpath_filter;
        Object.assign(patch, ownershipPatch(input));
        if (mentionsAuth(input)) Object.assign(patch, sealedAuth(input));
        return store.applyUpdate(tx, current, patch, "update", actor);
      });
      return readOne(row);
    },

    async setEnabled(id, enabled, actor) {
      // Re-enabling also marks the tool reachable again, as ContextForge does.
      return readOne(await store.setEnabled(id, enabled, actor, enabled ? { reachable: true } : {}));
    },

    delete: (id) => store.delete(id),

    async versions(id) {
      const versions = await store.versions(id);
      const slugs = await gatewaySlugs(versions.map((v) => v.row));
      return versions.map(({ row, ...meta }) => ({ ...meta, definition: read(row, slugs) }));
    },

    async restore(id, version, actor) {
      const row = await store.restore(id, version, actor, async (tx, definition) => {
        const clash = await valueTaken(tx, "tools", "name", definition.name, id);
        if (clash) {
          throw new GatewayError(
            "conflict",
            `cannot restore: the name ${definition.name} is now used by tool ${clash.id}`,
          );
        }
      });
      return readOne(row);
    },
  };
}

/** Reads one tool row (for other services). */
export function findToolRow(db: Db, id: string): Promise<ToolsTable | undefined> {
  return findRow<ToolsTable>(db, "tools", id);
}
