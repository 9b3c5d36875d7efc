import type { Kysely } from "kysely";
import type { DatabaseSchema, PromptsTable } from "../../db/database-schema.js";
import { newId, nowIso } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import { newEntityColumns, ownershipPatch } from "../shared/entity-columns.js";
import { type Db, insertRow, listRows, valueTaken } from "../shared/entity-table.js";
import type { ListQuery } from "../shared/list-query.js";
import { type EntityVersion, gatewaySlugsOf, versionedEntityStore } from "../shared/versioned-entity.js";
import { exposedToolName, type NameSeparator } from "../tools/exposed-tool-name.js";
import { type PromptCreate, type PromptRead, type PromptUpdate, toPromptRead } from "./prompt-schema.js";
import { checkTemplate, renderTemplate } from "./prompt-template.js";

/** What rendering a prompt returns: MCP's `GetPromptResult`. */
export interface RenderedPrompt {
  readonly description?: string;
  readonly messages: { role: "user"; content: { type: "text"; text: string } }[];
}

/** A stored version of a prompt. */
export type PromptVersion = EntityVersion<PromptRead>;

/** The prompt registry's logic. */
export interface PromptService {
  list(query: ListQuery): Promise<{ items: PromptRead[]; nextCursor: string | null }>;
  get(id: string): Promise<PromptRead>;
  getMany(ids: readonly string[]): Promise<PromptRead[]>;
  create(input: PromptCreate, actor?: string): Promise<PromptRead>;
  update(id: string, input: PromptUpdate, actor?: string): Promise<PromptRead>;
  setEnabled(id: string, enabled: boolean, actor?: string): Promise<PromptRead>;
  delete(id: string): Promise<void>;
  versions(id: string): Promise<PromptVersion[]>;
  restore(id: string, version: number, actor?: string): Promise<PromptRead>;
  /** Renders a prompt defined in the gateway with `args`; 422 for missing required arguments. */
  render(id: string, args: Readonly<Record<string, string>>): Promise<RenderedPrompt>;
}

/** Collaborators of the prompt service. */
export interface PromptServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly separator: NameSeparator;
}

/** Creates the prompt service. */
export function createPromptService({ db, separator }: PromptServiceOptions): PromptService {
  const store = versionedEntityStore<PromptsTable>(db, "prompts", "prompt", "Prompt");

  const readAll = async (rows: readonly PromptsTable[]): Promise<PromptRead[]> => {
    const slugs = await gatewaySlugsOf(db, rows);
    return rows.map((row) => toPromptRead(row, row.gateway_id ? (slugs.get(row.gateway_id) ?? null) : null));
  };
  const readOne = async (row: PromptsTable): Promise<PromptRead> => (await readAll([row]))[0] as PromptRead;

  const uniqueName = async (tx: Db, id: string, name: string): Promise<string> => {
    const exposed = exposedToolName({ name, separator });
    const holder = await valueTaken(tx, "prompts", "name", exposed, id);
    if (holder)
      throw new GatewayError("conflict", `Prompt name already exists: ${exposed} (id ${holder.id})`);
    return exposed;
  };

  return {
    async list(query) {
      const page = await listRows<PromptsTable>(db, "prompts", query);
      return { items: await readAll(page.rows), nextCursor: page.nextCursor };
    },

    async get(id) {
      return readOne(await store.get(db, id));
    },

    async getMany(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom("prompts")
        .selectAll()
        .where("id", "in", [...ids])
        .execute();
      const byId = new Map((await readAll(rows)).map((p) => [p.id, p]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },

    async create(input, actor) {
      checkTemplate(input.template);
      const id = newId();
      const now = nowIso();
      const row = await db.transaction().execute(async (tx) => {
        await insertRow<PromptsTable>(tx, "prompts", {
          id,
          original_name: input.name,
          custom_name: input.custom_name ?? null,
          display_name: input.display_name ?? null,
          name: await uniqueName(tx, id, input.custom_name ?? input.name),
          description: input.description ?? null,
          template: input.template,
          arguments: JSON.stringify(input.arguments),
          gateway_id: null,
          deleted_upstream: false,
          ...newEntityColumns(input, actor, now),
        });
        return store.snapshot(tx, id, "create", actor);
      });
      return readOne(row);
    },

    async update(id, input, actor) {
      if (input.template !== undefined) checkTemplate(input.template);
      const row = await db.transaction().execute(async (tx) => {
        const current = await store.get(tx, id);
        if (
          current.gateway_id !== null &&
          (input.template !== undefined || input.arguments !== undefined || input.name !== undefined)
        ) {
          throw new GatewayError(
            "validation_failed",
            "name, template and arguments of a prompt discovered from a gateway cannot be changed; use custom_name",
          );
        }
        const patch: Partial<PromptsTable> = {};
        if (input.name !== undefined) patch.original_name = input.name;
        if (input.custom_name !== undefined) patch.custom_name = input.custom_name;
        if (input.name !== undefined || input.custom_name !== undefined) {
          patch.name = await uniqueName(
            tx,
            id,
            patch.custom_name ?? current.custom_name ?? patch.original_name ?? current.original_name,
          );
        }
        if (input.display_name !== undefined) patch.display_name = input.display_name;
        if (input.description !== undefined) patch.description = input.description;
        if (input.template !== undefined) patch.template = input.template;
        if (input.arguments !== undefined) patch.arguments = JSON.stringify(input.arguments);
        Object.assign(patch, ownershipPatch(input));
        return store.applyUpdate(tx, current, patch, "update", actor);
      });
      return readOne(row);
    },

    async setEnabled(id, enabled, actor) {
      return readOne(await store.setEnabled(id, enabled, actor));
    },

    delete: (id) => store.delete(id),

    async versions(id) {
      const versions = await store.versions(id);
      const reads = await readAll(versions.map((v) => v.row));
      return versions.map(({ row: _row, ...meta }, i) => ({ ...meta, definition: reads[i] as PromptRead }));
    },

    async restore(id, version, actor) {
      const row = await store.restore(id, version, actor, async (tx, definition) => {
        const clash = await valueTaken(tx, "prompts", "name", definition.name, id);
        if (clash)
          throw new GatewayError(
            "conflict",
            `cannot restore: the name ${definition.name} is now used by prompt ${clash.id}`,
          );
      });
      return readOne(row);
    },

    async render(id, args) {
      const prompt = await readOne(await store.get(db, id));
      if (!prompt.enabled) throw new GatewayError("not_found", `Prompt not found: ${id} (inactive)`);
      if (prompt.gatewayId !== null) {
        throw new GatewayError(
          "bad_request",
          `prompt ${prompt.name} is served by gateway ${prompt.gatewaySlug}: render it over MCP (prompts/get)`,
        );
      }
      const missing = prompt.arguments.filter((a) => a.required && !(a.name in args)).map((a) => a.name);
      if (missing.length > 0) {
        throw new GatewayError("validation_failed", `Missing required arguments: ${missing.join(", ")}`, {
          issues: missing.map((name) => ({ loc: ["body", name], msg: "required argument", type: "missing" })),
        });
      }
      const text = renderTemplate(prompt.template, args);
      return {
        ...(prompt.description ? { description: prompt.description } : {}),
        messages: [{ role: "user", content: { type: "text", text } }],
      };
    },
  };
}
