import type { CommonColumns } from "../../db/database-schema.js";
import { nowIso } from "../../db/row-values.js";
import type { Visibility } from "./entity-fields.js";

/** The ownership fields every create and update body may carry. */
export interface OwnershipInput {
  readonly tags?: readonly string[] | undefined;
  readonly team_id?: string | null | undefined;
  readonly owner_email?: string | null | undefined;
  readonly visibility?: Visibility | undefined;
}

/** The state, ownership and audit columns of a new entity (version 1, enabled, owned by `actor`). */
export function newEntityColumns(
  input: OwnershipInput & { readonly tags: readonly string[] },
  actor: string | undefined,
  now: string = nowIso(),
): Omit<CommonColumns, "description"> {
  return {
    tags: JSON.stringify(input.tags),
    enabled: true,
    team_id: input.team_id ?? null,
    owner_email: input.owner_email ?? actor ?? null,
    visibility: input.visibility ?? "public",
    created_at: now,
    updated_at: now,
    created_by: actor ?? null,
    modified_by: actor ?? null,
    version: 1,
  };
}

/** The ownership columns an update changes: only the fields the body gave. */
export function ownershipPatch(input: OwnershipInput): Partial<CommonColumns> {
  const patch: Partial<CommonColumns> = {};
  if (input.tags !== undefined) patch.tags = JSON.stringify(input.tags);
  if (input.team_id !== undefined) patch.team_id = input.team_id;
  if (input.owner_email !== undefined) patch.owner_email = input.owner_email;
  if (input.visibility !== undefined) patch.visibility = input.visibility;
  return patch;
}
