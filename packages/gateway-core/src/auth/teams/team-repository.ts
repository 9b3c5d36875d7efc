import type { Kysely, Transaction } from "kysely";
import type { DatabaseSchema, EmailTeamMembersTable, EmailTeamsTable } from "../../db/database-schema.js";
import { newId, nowIso } from "../../db/row-values.js";
import type { TeamRole } from "./team-schema.js";

/** The database or a transaction on it. */
export type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** A team by id, active or not. */
export function findTeam(db: Db, id: string): Promise<EmailTeamsTable | undefined> {
  return db.selectFrom("email_teams").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Takes the team's row lock until the transaction ends (an update locks on PostgreSQL and
 * MariaDB; SQLite serialises writers anyway), so two membership changes of one team cannot both
 * pass a check like "another owner remains" or "there is room left" (the lock is an update of
 * updated_at: a membership change counts as a change of the team). False: no such team.
 */
export async function lockTeam(tx: Transaction<DatabaseSchema>, id: string): Promise<boolean> {
  const result = await tx
    .updateTable("email_teams")
    .set({ updated_at: nowIso() })
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Which teams to list: those with these ids, or every team. */
export type TeamSelection = { readonly ids: readonly string[] } | "all";

/** Active teams, oldest first, with the total before skip/limit. */
export async function listTeams(
  db: Db,
  options: { selection: TeamSelection; includePersonal: boolean; skip: number; limit: number },
): Promise<{ rows: EmailTeamsTable[]; total: number }> {
  const { selection } = options;
  if (selection !== "all" && selection.ids.length === 0) return { rows: [], total: 0 };
  let query = db.selectFrom("email_teams").where("is_active", "=", true);
  if (selection !== "all") query = query.where("id", "in", [...selection.ids]);
  if (!options.includePersonal) query = query.where("is_personal", "=", false);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy("created_at").orderBy("id").offset(options.skip).limit(options.limit).execute(),
    query.select((eb) => eb.fn.countAll<number | string | bigint>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Active public teams `email` is not an active member of, oldest first. */
export function listJoinableTeams(
  db: Db,
  email: string,
  options: { skip: number; limit: number },
): Promise<EmailTeamsTable[]> {
  return db
    .selectFrom("email_teams")
    .selectAll()
    .where("is_active", "=", true)
    .where("is_personal", "=", false)
    .where("visibility", "=", "public")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("email_team_members")
            .select("email_team_members.id")
            .whereRef("email_team_members.team_id", "=", "email_teams.id")
            .where("email_team_members.user_email", "=", email)
            .where("email_team_members.is_active", "=", true),
        ),
      ),
    )
    .orderBy("created_at")
    .orderBy("id")
    .offset(options.skip)
    .limit(options.limit)
    .execute();
}

/** Active members per team (teams without members are absent). */
export async function memberCounts(db: Db, teamIds: readonly string[]): Promise<Map<string, number>> {
  if (teamIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("email_team_members")
    .select(["team_id", (eb) => eb.fn.countAll<number | string | bigint>().as("n")])
    .where("team_id", "in", [...teamIds])
    .where("is_active", "=", true)
    .groupBy("team_id")
    .execute();
  return new Map(rows.map((r) => [r.team_id, Number(r.n)]));
}

/** Whether a team (active or not) holds this slug. */
export async function slugTaken(db: Db, slug: string): Promise<boolean> {
  const row = await db.selectFrom("email_teams").select("id").where("slug", "=", slug).executeTakeFirst();
  return row !== undefined;
}

/** `base`, or `base-2`, `base-3`, ...: the first slug no team holds. */
export async function freeSlug(db: Db, base: string): Promise<string> {
  // `base` holds only [a-z0-9-], so it has no LIKE wildcards to escape.
  const rows = await db
    .selectFrom("email_teams")
    .select("slug")
    .where((eb) => eb.or([eb("slug", "=", base), eb("slug", "like", `${base}-%`)]))
    .execute();
  const taken = new Set(rows.map((r) => r.slug));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** Active non-personal teams `email` created. */
export async function countTeamsCreatedBy(db: Db, email: string): Promise<number> {
  const row = await db
    .selectFrom("email_teams")
    .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"))
    .where("created_by", "=", email)
    .where("is_active", "=", true)
    .where("is_personal", "=", false)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Inserts a team. */
export async function insertTeam(db: Db, row: EmailTeamsTable): Promise<void> {
  await db.insertInto("email_teams").values(row).execute();
}

/** Changes a team's columns (and its updated_at). */
export async function updateTeam(
  db: Db,
  id: string,
  patch: Partial<Pick<EmailTeamsTable, "name" | "description" | "visibility" | "max_members" | "is_active">>,
): Promise<void> {
  await db
    .updateTable("email_teams")
    .set({ ...patch, updated_at: nowIso() })
    .where("id", "=", id)
    .execute();
}

/** A user's membership of a team, active or not. */
export function findMember(
  db: Db,
  teamId: string,
  email: string,
): Promise<EmailTeamMembersTable | undefined> {
  return db
    .selectFrom("email_team_members")
    .selectAll()
    .where("team_id", "=", teamId)
    .where("user_email", "=", email)
    .executeTakeFirst();
}

/** A team's active members: owners first, then by joining date. */
export async function listMembers(db: Db, teamId: string): Promise<EmailTeamMembersTable[]> {
  const rows = await db
    .selectFrom("email_team_members")
    .selectAll()
    .where("team_id", "=", teamId)
    .where("is_active", "=", true)
    .orderBy("joined_at")
    .orderBy("user_email")
    .execute();
  return rows.sort((a, b) => Number(b.role === "owner") - Number(a.role === "owner"));
}

/** A team's active members with `role` (all roles when omitted). */
export async function countMembers(db: Db, teamId: string, role?: TeamRole): Promise<number> {
  let query = db
    .selectFrom("email_team_members")
    .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"))
    .where("team_id", "=", teamId)
    .where("is_active", "=", true);
  if (role) query = query.where("role", "=", role);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/**
 * Makes `email` an active member with `role`: a new row, or the user's old (inactive) row
 * reactivated, since a user has at most one row per team.
 */
export async function upsertMember(
  db: Db,
  member: { teamId: string; email: string; role: TeamRole; invitedBy: string | null },
): Promise<EmailTeamMembersTable> {
  const existing = await findMember(db, member.teamId, member.email);
  const now = nowIso();
  if (existing) {
    await db
      .updateTable("email_team_members")
      .set({ role: member.role, joined_at: now, invited_by: member.invitedBy, is_active: true })
      .where("id", "=", existing.id)
      .execute();
  } else {
    await db
      .insertInto("email_team_members")
      .values({
        id: newId(),
        team_id: member.teamId,
        user_email: member.email,
        role: member.role,
        joined_at: now,
        invited_by: member.invitedBy,
        is_active: true,
      })
      .execute();
  }
  const row = await findMember(db, member.teamId, member.email);
  if (!row) throw new Error(`membership of ${member.email} in team ${member.teamId} vanished`);
  return row;
}

/** Changes a member's role. */
export async function setMemberRole(db: Db, teamId: string, email: string, role: TeamRole): Promise<void> {
  await db
    .updateTable("email_team_members")
    .set({ role })
    .where("team_id", "=", teamId)
    .where("user_email", "=", email)
    .execute();
}

/** Removes one membership row. */
export async function deleteMember(db: Db, teamId: string, email: string): Promise<void> {
  await db
    .deleteFrom("email_team_members")
    .where("team_id", "=", teamId)
    .where("user_email", "=", email)
    .execute();
}

/** Removes every membership of a team and every role granted in it (the team was deleted). */
export async function deleteAllMembersAndGrants(db: Db, teamId: string): Promise<void> {
  await db.deleteFrom("email_team_members").where("team_id", "=", teamId).execute();
  await db
    .deleteFrom("user_roles")
    .where("scope", "in", ["team", "personal"])
    .where("scope_id", "=", teamId)
    .execute();
}
