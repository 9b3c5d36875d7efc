import type { Kysely } from "kysely";
import type { DatabaseSchema, ServersTable } from "../../db/database-schema.js";
import { newId, nowIso } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import type { PromptRead } from "../prompts/prompt-schema.js";
import type { PromptService } from "../prompts/prompt-service.js";
import type { ResourceRead } from "../resources/resource-schema.js";
import type { ResourceService } from "../resources/resource-service.js";
import { newEntityColumns, ownershipPatch } from "../shared/entity-columns.js";
import { type Db, insertRow, listRows, valueTaken } from "../shared/entity-table.js";
import type { ListQuery } from "../shared/list-query.js";
import { type EntityVersion, versionedEntityStore } from "../shared/versioned-entity.js";
import type { ToolRead } from "../tools/tool-schema.js";
import type { ToolService } from "../tools/tool-service.js";
import { readAssociations, serverLinks, writeAssociations } from "./server-associations.js";
import { type ServerCreate, type ServerRead, type ServerUpdate, toServerRead } from "./server-schema.js";

/** A stored version of a virtual server. */
export type ServerVersion = EntityVersion<ServerRead>;

/** The virtual-server registry's logic. */
export interface ServerService {
  list(query: ListQuery): Promise<{ items: ServerRead[]; nextCursor: string | null }>;
  get(id: string): Promise<ServerRead>;
  create(input: ServerCreate, actor?: string): Promise<ServerRead>;
  update(id: string, input: ServerUpdate, actor?: string): Promise<ServerRead>;
  setEnabled(id: string, enabled: boolean, actor?: string): Promise<ServerRead>;
  delete(id: string): Promise<void>;
  versions(id: string): Promise<ServerVersion[]>;
  restore(id: string, version: number, actor?: string): Promise<ServerRead>;
  tools(id: string, includeInactive: boolean): Promise<ToolRead[]>;
  resources(id: string, includeInactive: boolean): Promise<ResourceRead[]>;
  prompts(id: string, includeInactive: boolean): Promise<PromptRead[]>;
}

/** Collaborators of the server service. */
export interface ServerServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly tools: Pick<ToolService, "getMany">;
  readonly resources: Pick<ResourceService, "getMany">;
  readonly prompts: Pick<PromptService, "getMany">;
}

/** Creates the server service. */
export function createServerService({ db, tools, resources, prompts }: ServerServiceOptions): ServerService {
  const store = versionedEntityStore<ServersTable>(db, "servers", "server", "Server", serverLinks);

  const readAll = async (tx: Db, rows: readonly ServersTable[]): Promise<ServerRead[]> => {
    const links = await readAssociations(
      tx,
      rows.map((r) => r.id),
    );
    return rows.map((row) =>
      toServerRead(row, links.get(row.id) ?? { tools: [], resources: [], prompts: [], a2aAgents: [] }),
    );
  };
  const readOne = async (tx: Db, row: ServersTable): Promise<ServerRead> =>
    (await readAll(tx, [row]))[0] as ServerRead;

  const checkName = async (tx: Db, id: string, name: string): Promise<void> => {
    const holder = await valueTaken(tx, "servers", "name", name, id);
    if (holder) throw new GatewayError("conflict", `Server name already exists: ${name} (id ${holder.id})`);
  };

  /**
   * With original names, two items of one server may not share a name (two upstreams can both
   * have a `search` tool): the clash is a 422 naming them, never a silent shadowing.
   */
  const checkExposedNames = async (tx: Db, id: string): Promise<void> => {
    const server = await store.get(tx, id);
    if (!server.expose_original_names) return;
    const links = (await readAssociations(tx, [id])).get(id);
    const clashes: string[] = [];
    for (const [table, ids] of [
      ["tools", links?.tools ?? []],
      ["prompts", links?.prompts ?? []],
    ] as const) {
      if (ids.length === 0) continue;
      const rows = await tx
        .selectFrom(table)
        .select(["original_name"])
        .where("id", "in", [...ids])
        .execute();
      const seen = new Set<string>();
      for (const row of rows) {
        if (seen.has(row.original_name)) clashes.push(`${table.slice(0, -1)} ${row.original_name}`);
        seen.add(row.original_name);
      }
    }
    if (clashes.length > 0) {
      throw new GatewayError(
        "validation_failed",
        `with expose_original_names, names must be unique in the server; duplicated: ${clashes.join(", ")}`,
      );
    }
  };

  const linksOf = (input: ServerUpdate) => ({
    ...(input.associated_tools === undefined ? {} : { tools: input.associated_tools }),
    ...(input.associated_resources === undefined ? {} : { resources: input.associated_resources }),
    ...(input.associated_prompts === undefined ? {} : { prompts: input.associated_prompts }),
    ...(input.associated_a2a_agents === undefined ? {} : { a2aAgents: input.associated_a2a_agents }),
  });

  const items = async <T extends { enabled: boolean }>(
    id: string,
    includeInactive: boolean,
    pick: (server: ServerRead) => readonly string[],
    load: (ids: readonly string[]) => Promise<T[]>,
  ): Promise<T[]> => {
    const server = await readOne(db, await store.get(db, id));
    const all = await load(pick(server));
    return includeInactive ? all : all.filter((item) => item.enabled);
  };

  return {
    async list(query) {
      const page = await listRows<ServersTable>(db, "servers", query);
      return { items: await readAll(db, page.rows), nextCursor: page.nextCursor };
    },

    async get(id) {
      return readOne(db, await store.get(db, id));
    },

    async create(input, actor) {
      const id = input.id ?? newId();
      const now = nowIso();
      return db.transaction().execute(async (tx) => {
        if (input.id !== undefined && (await valueTaken(tx, "servers", "id", input.id))) {
          throw new GatewayError("conflict", `Server id already exists: ${input.id}`);
        }
        await checkName(tx, id, input.name);
        await insertRow<ServersTable>(tx, "servers", {
          id,
          name: input.name,
          description: input.description ?? null,
          icon: input.icon || null,
          expose_original_names: input.expose_original_names ?? false,
          ...newEntityColumns(input, actor, now),
        });
        await writeAssociations(tx, id, linksOf(input));
        await checkExposedNames(tx, id);
        return readOne(tx, await store.snapshot(tx, id, "create", actor));
      });
    },

    async update(id, input, actor) {
      return db.transaction().execute(async (tx) => {
        const current = await store.get(tx, id);
        const patch: Partial<ServersTable> = {};
        if (input.name !== undefined) {
          await checkName(tx, id, input.name);
          patch.name = input.name;
        }
        if (input.description !== undefined) patch.description = input.description;
        if (input.icon !== undefined) patch.icon = input.icon || null;
        if (input.expose_original_names !== undefined)
          patch.expose_original_names = input.expose_original_names;
        Object.assign(patch, ownershipPatch(input));
        await writeAssociations(tx, id, linksOf(input));
        const updated = await store.applyUpdate(tx, current, patch, "update", actor);
        await checkExposedNames(tx, id);
        return readOne(tx, updated);
      });
    },

    async setEnabled(id, enabled, actor) {
      return readOne(db, await store.setEnabled(id, enabled, actor));
    },

    delete: (id) => store.delete(id),

    async versions(id) {
      return (await store.versions(id)).map(({ row, links, ...meta }) => ({
        ...meta,
        definition: toServerRead(
          row,
          (links ?? { tools: [], resources: [], prompts: [], a2aAgents: [] }) as never,
        ),
      }));
    },

    async restore(id, version, actor) {
      const row = await store.restore(id, version, actor, async (tx, definition) => {
        await checkName(tx, id, definition.name);
      });
      return readOne(db, row);
    },

    tools: (id, includeInactive) =>
      items(
        id,
        includeInactive,
        (s) => s.associatedTools,
        (ids) => tools.getMany(ids),
      ),
    resources: (id, includeInactive) =>
      items(
        id,
        includeInactive,
        (s) => s.associatedResources,
        (ids) => resources.getMany(ids),
      ),
    prompts: (id, includeInactive) =>
      items(
        id,
        includeInactive,
        (s) => s.associatedPrompts,
        (ids) => prompts.getMany(ids),
      ),
  };
}
