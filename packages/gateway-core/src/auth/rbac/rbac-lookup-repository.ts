import type { Kysely, Transaction } from "kysely";
import type { DatabaseSchema } from "../../db/database-schema.js";
import type { Ownership } from "../access.js";
import type { ResourceType } from "./role-schema.js";

// What grants and permission checks need to know about users, teams and registry items.

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** Whether `email` is an active stored user. */
export async function activeUserExists(db: Db, email: string): Promise<boolean> {
  const row = await db
    .selectFrom("email_users")
    .select("email")
    .where("email", "=", email)
    .where("is_active", "=", true)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether an active team with `id` exists. */
export async function activeTeamExists(db: Db, id: string): Promise<boolean> {
  const row = await db
    .selectFrom("email_teams")
    .select("id")
    .where("id", "=", id)
    .where("is_active", "=", true)
    .executeTakeFirst();
  return row !== undefined;
}

/** The active personal team of `email`, if any. */
export async function personalTeamOf(db: Db, email: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("email_teams")
    .select("id")
    .where("created_by", "=", email)
    .where("is_personal", "=", true)
    .where("is_active", "=", true)
    .executeTakeFirst();
  return row?.id;
}

/** Whether `email` is an active member of team `teamId`. */
export async function isActiveMember(db: Db, teamId: string, email: string): Promise<boolean> {
  const row = await db
    .selectFrom("email_team_members")
    .select("id")
    .where("team_id", "=", teamId)
    .where("user_email", "=", email)
    .where("is_active", "=", true)
    .executeTakeFirst();
  return row !== undefined;
}

const ITEM_TABLES = {
  tools: "tools",
  resources: "resources",
  prompts: "prompts",
  servers: "servers",
  gateways: "gateways",
  a2a: "a2a_agents",
} as const satisfies Record<ResourceType, keyof DatabaseSchema>;

/** Who owns a registry item and who may see it; undefined when there is none. */
export async function itemOwnership(db: Db, type: ResourceType, id: string): Promise<Ownership | undefined> {
  const row = await db
    .selectFrom(ITEM_TABLES[type])
    .select(["visibility", "team_id", "owner_email"])
    .where("id", "=", id)
    .executeTakeFirst();
  return row && { visibility: row.visibility, teamId: row.team_id, ownerEmail: row.owner_email };
}
