import type { EmailTeamInvitationsTable } from "../../db/database-schema.js";
import type { Db } from "./team-repository.js";

/** Inserts an invitation (its token only as a hash). */
export async function insertInvitation(db: Db, row: EmailTeamInvitationsTable): Promise<void> {
  await db.insertInto("email_team_invitations").values(row).execute();
}

/** An invitation by id, pending or not. */
export function findInvitation(db: Db, id: string): Promise<EmailTeamInvitationsTable | undefined> {
  return db.selectFrom("email_team_invitations").selectAll().where("id", "=", id).executeTakeFirst();
}

/** An invitation by the SHA-256 (hex) of its token, pending or not. */
export function findInvitationByTokenHash(
  db: Db,
  tokenHash: string,
): Promise<EmailTeamInvitationsTable | undefined> {
  return db
    .selectFrom("email_team_invitations")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
}

/** A team's invitations that were neither accepted nor cancelled (expired ones included), newest first. */
export function listActiveInvitations(db: Db, teamId: string): Promise<EmailTeamInvitationsTable[]> {
  return db
    .selectFrom("email_team_invitations")
    .selectAll()
    .where("team_id", "=", teamId)
    .where("is_active", "=", true)
    .orderBy("invited_at", "desc")
    .orderBy("id")
    .execute();
}

/** The active, unexpired invitation of `email` to a team, if there is one. */
export function findPendingInvitation(
  db: Db,
  teamId: string,
  email: string,
  nowIso: string,
): Promise<EmailTeamInvitationsTable | undefined> {
  return db
    .selectFrom("email_team_invitations")
    .selectAll()
    .where("team_id", "=", teamId)
    .where("email", "=", email)
    .where("is_active", "=", true)
    .where("expires_at", ">", nowIso)
    .executeTakeFirst();
}

/**
 * Closes a pending invitation (accepted or cancelled). False when it was not pending any more:
 * of two concurrent acceptances, exactly one closes it.
 */
export async function closeInvitation(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable("email_team_invitations")
    .set({ is_active: false })
    .where("id", "=", id)
    .where("is_active", "=", true)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Closes every pending invitation of a team (the team was deleted). */
export async function closeTeamInvitations(db: Db, teamId: string): Promise<void> {
  await db
    .updateTable("email_team_invitations")
    .set({ is_active: false })
    .where("team_id", "=", teamId)
    .where("is_active", "=", true)
    .execute();
}
