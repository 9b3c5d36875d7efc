import type { Kysely } from "kysely";
import type { CommonColumns, DatabaseSchema } from "../../db/database-schema.js";
import { nowIso, toBoolean } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import {
  deleteVersions,
  listVersions,
  recordVersion,
  type VersionChange,
  type VersionedEntity,
} from "../versions/version-repository.js";
import { type Db, type EntityTableName, getRow, updateRow } from "./entity-table.js";

/** A row of a versioned registry table. */
export type VersionedRow = CommonColumns & { id: string };

/** A stored version as the API shows it: the entity's full definition at that version. */
export interface EntityVersion<Read> {
  readonly version: number;
  readonly change: string;
  readonly changedAt: string;
  readonly changedBy: string | null;
  readonly definition: Read;
}

/** A stored version, with the row as it was. */
export interface RowVersion<Row> {
  readonly version: number;
  readonly change: VersionChange;
  readonly changedAt: string;
  readonly changedBy: string | null;
  readonly row: Row;
  /** The linked state at that version, when the entity has any. */
  readonly links: unknown;
}

/** The lifecycle every registry entity shares: versioned updates, state, delete, restore. */
export interface VersionedEntityStore<Row extends VersionedRow> {
  get(db: Db, id: string): Promise<Row>;
  /** Records the current row as its version (after an insert or update). */
  snapshot(tx: Db, id: string, change: VersionChange, actor?: string): Promise<Row>;
  /** Applies `patch` at the next version (optimistic lock on the current one) and records it. */
  applyUpdate(tx: Db, current: Row, patch: Partial<Row>, change: VersionChange, actor?: string): Promise<Row>;
  setEnabled(id: string, enabled: boolean, actor?: string, extra?: Partial<Row>): Promise<Row>;
  delete(id: string): Promise<void>;
  versions(id: string): Promise<RowVersion<Row>[]>;
  /** Makes version `version`'s definition current again, as a new version. */
  restore(
    id: string,
    version: number,
    actor?: string,
    check?: (tx: Db, row: Row) => Promise<void>,
  ): Promise<Row>;
}

/** State kept outside the entity's row (e.g. a server's associations), versioned with it. */
export interface LinkedState {
  read(db: Db, id: string): Promise<unknown>;
  write(db: Db, id: string, value: unknown): Promise<void>;
}

const LINKS = "__links";

/** The shared lifecycle for `table`, whose history is kept under `entityType`. */
export function versionedEntityStore<Row extends VersionedRow>(
  db: Kysely<DatabaseSchema>,
  table: EntityTableName,
  entityType: VersionedEntity,
  label: string,
  links?: LinkedState,
): VersionedEntityStore<Row> {
  const store: VersionedEntityStore<Row> = {
    get: (tx, id) => getRow<Row>(tx, table, id, label),

    async snapshot(tx, id, change, actor) {
      const row = await getRow<Row>(tx, table, id, label);
      const definition = links ? { ...row, [LINKS]: await links.read(tx, id) } : row;
      await recordVersion(tx, {
        entityType,
        entityId: id,
        version: row.version,
        change,
        definition,
        changedBy: actor,
      });
      return row;
    },

    async applyUpdate(tx, current, patch, change, actor) {
      await updateRow(tx, table, current.id, current.version, {
        ...patch,
        version: current.version + 1,
        updated_at: nowIso(),
        modified_by: actor ?? null,
      });
      return store.snapshot(tx, current.id, change, actor);
    },

    setEnabled(id, enabled, actor, extra = {}) {
      return db.transaction().execute(async (tx) => {
        const current = await getRow<Row>(tx, table, id, label);
        if (toBoolean(current.enabled) === enabled) return current;
        return store.applyUpdate(tx, current, { enabled, ...extra } as Partial<Row>, "state", actor);
      });
    },

    async delete(id) {
      await db.transaction().execute(async (tx) => {
        await getRow<Row>(tx, table, id, label);
        await tx.deleteFrom(table).where("id", "=", id).execute();
        await deleteVersions(tx, entityType, id);
      });
    },

    async versions(id) {
      await getRow<Row>(db, table, id, label);
      return (await listVersions(db, entityType, id)).map((v) => ({
        version: v.version,
        change: v.change,
        changedAt: v.changedAt,
        changedBy: v.changedBy,
        row: withoutLinks(v.definition as Row),
        links: (v.definition as Record<string, unknown>)[LINKS],
      }));
    },

    restore(id, version, actor, check) {
      return db.transaction().execute(async (tx) => {
        const current = await getRow<Row>(tx, table, id, label);
        const stored = (await listVersions(tx, entityType, id)).find((v) => v.version === version);
        if (!stored) throw new GatewayError("not_found", `${label} ${id} has no version ${version}`);
        const {
          id: _id,
          created_at: _createdAt,
          created_by: _createdBy,
          version: _version,
          updated_at: _updatedAt,
          modified_by: _modifiedBy,
          [LINKS]: linked,
          ...definition
        } = stored.definition as Row & { [LINKS]?: unknown };
        await check?.(tx, stored.definition as Row);
        if (links) await links.write(tx, id, linked);
        return store.applyUpdate(tx, current, definition as unknown as Partial<Row>, "restore", actor);
      });
    },
  };
  return store;
}

/** The slugs of the gateways `rows` belong to, by gateway id. */
export async function gatewaySlugsOf(
  db: Db,
  rows: readonly { gateway_id: string | null }[],
): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.gateway_id).filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  const found = await db.selectFrom("gateways").select(["id", "slug"]).where("id", "in", ids).execute();
  return new Map(found.map((g) => [g.id, g.slug]));
}

function withoutLinks<Row>(definition: Row): Row {
  const { [LINKS]: _links, ...row } = definition as Row & { [LINKS]?: unknown };
  return row as Row;
}
