import { fromJson, newId, nowIso } from "../../db/row-values.js";
import type { Db } from "../shared/entity-table.js";

/** The kinds of entity whose history is kept. */
export type VersionedEntity = "tool" | "resource" | "prompt" | "server" | "gateway";

/** Why a version was written. */
export type VersionChange = "create" | "update" | "state" | "restore" | "refresh";

/** One stored version: the entity's full definition as it was at that version. */
export interface VersionRecord {
  readonly version: number;
  readonly change: VersionChange;
  readonly changedAt: string;
  readonly changedBy: string | null;
  readonly definition: unknown;
}

/** Stores `definition` as version `version` of the entity. */
export async function recordVersion(
  db: Db,
  entry: {
    entityType: VersionedEntity;
    entityId: string;
    version: number;
    change: VersionChange;
    definition: unknown;
    changedBy: string | null | undefined;
  },
): Promise<void> {
  await db
    .insertInto("entity_versions")
    .values({
      id: newId(),
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      version: entry.version,
      change: entry.change,
      definition: JSON.stringify(entry.definition),
      changed_at: nowIso(),
      changed_by: entry.changedBy ?? null,
    })
    .execute();
}

/** Every stored version of an entity, newest first. */
export async function listVersions(
  db: Db,
  entityType: VersionedEntity,
  entityId: string,
): Promise<VersionRecord[]> {
  const rows = await db
    .selectFrom("entity_versions")
    .selectAll()
    .where("entity_type", "=", entityType)
    .where("entity_id", "=", entityId)
    .orderBy("version", "desc")
    .execute();
  return rows.map((row) => ({
    version: row.version,
    change: row.change as VersionChange,
    changedAt: row.changed_at,
    changedBy: row.changed_by,
    definition: fromJson<unknown>(row.definition, null),
  }));
}

/** One stored version, or undefined. */
export async function findVersion(
  db: Db,
  entityType: VersionedEntity,
  entityId: string,
  version: number,
): Promise<VersionRecord | undefined> {
  const all = await listVersions(db, entityType, entityId);
  return all.find((v) => v.version === version);
}

/** Forgets the history of a deleted entity. */
export async function deleteVersions(db: Db, entityType: VersionedEntity, entityId: string): Promise<void> {
  await db
    .deleteFrom("entity_versions")
    .where("entity_type", "=", entityType)
    .where("entity_id", "=", entityId)
    .execute();
}
