import type { Transaction } from "kysely";
import type { DatabaseSchema, EmailTeamMembersTable, EmailTeamsTable } from "../../db/database-schema.js";
import { toBoolean } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import { roleForMembership } from "../permissions.js";
import type { Principal } from "../principal.js";
import { revokeTeamRoles, setTeamRole } from "../rbac/grant-repository.js";
import { holdsGlobally } from "../rbac/permission-checks.js";
import {
  countMembers,
  type Db,
  deleteMember,
  findMember,
  findTeam,
  lockTeam,
  setMemberRole,
  upsertMember,
} from "./team-repository.js";
import type { TeamRole } from "./team-schema.js";

/** "Not found" for a team the caller may not see: the same answer whether or not it exists. */
export function teamNotFound(teamId: string): GatewayError {
  return new GatewayError("not_found", `Team not found: ${teamId}`);
}

/** The active team with this id, locked for the rest of the transaction; 404 otherwise. */
export async function lockActiveTeam(
  tx: Transaction<DatabaseSchema>,
  teamId: string,
): Promise<EmailTeamsTable> {
  if (!(await lockTeam(tx, teamId))) throw teamNotFound(teamId);
  const team = await findTeam(tx, teamId);
  if (!team || !toBoolean(team.is_active)) throw teamNotFound(teamId);
  return team;
}

/** The user's active membership of the team, if any. */
export async function activeMember(
  db: Db,
  teamId: string,
  email: string,
): Promise<EmailTeamMembersTable | undefined> {
  const row = await findMember(db, teamId, email);
  return row && toBoolean(row.is_active) ? row : undefined;
}

/** Whether the caller may act on owners (promote, demote, remove them): an owner or a platform admin. */
export async function actsAsOwner(db: Db, principal: Principal, teamId: string): Promise<boolean> {
  if (holdsGlobally(principal, "teams.manage_members")) return true;
  return (await activeMember(db, teamId, principal.subject))?.role === "owner";
}

/**
 * Adds `email` to a locked team with `role` and the role's grant (owner -> team_admin, member ->
 * developer). 409 when the user is a member already or the team is full.
 */
export async function admitMember(
  tx: Transaction<DatabaseSchema>,
  team: EmailTeamsTable,
  member: { email: string; role: TeamRole; invitedBy: string | null; grantedBy: string },
): Promise<EmailTeamMembersTable> {
  if (await activeMember(tx, team.id, member.email)) {
    throw new GatewayError("conflict", `${member.email} is already a member of team ${team.name}`);
  }
  if (team.max_members !== null && (await countMembers(tx, team.id)) >= team.max_members) {
    throw new GatewayError(
      "conflict",
      `Team ${team.name} is full: it has its maximum of ${team.max_members} members`,
    );
  }
  const row = await upsertMember(tx, {
    teamId: team.id,
    email: member.email,
    role: member.role,
    invitedBy: member.invitedBy,
  });
  await setTeamRole(tx, member.email, team.id, roleForMembership(member.role), member.grantedBy);
  return row;
}

/** 409 unless another owner remains once `email` (an owner) stops being one. */
export async function ensureAnotherOwner(tx: Db, team: EmailTeamsTable, email: string): Promise<void> {
  if ((await countMembers(tx, team.id, "owner")) <= 1) {
    throw new GatewayError(
      "conflict",
      `${email} is the last owner of team ${team.name}: make another member an owner first`,
    );
  }
}

/** Ends a membership and the roles it granted in the team. */
export async function dismissMember(tx: Db, teamId: string, email: string): Promise<void> {
  await deleteMember(tx, teamId, email);
  await revokeTeamRoles(tx, email, teamId);
}

/** Changes a member's role and replaces its grant in the team with the role's. */
export async function changeMemberRole(
  tx: Db,
  teamId: string,
  email: string,
  role: TeamRole,
  grantedBy: string,
): Promise<void> {
  await setMemberRole(tx, teamId, email, role);
  await setTeamRole(tx, email, teamId, roleForMembership(role), grantedBy);
}
