import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Settings } from "../../config/settings.js";
import type { DatabaseSchema, EmailTeamInvitationsTable, EmailTeamsTable } from "../../db/database-schema.js";
import { newId, toBoolean } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import type { Principal } from "../principal.js";
import { holdsInTeam } from "../rbac/permission-checks.js";
import { actsAsUser, seesTeam, tokenPermits } from "./team-access.js";
import {
  closeInvitation,
  findInvitation,
  findInvitationByTokenHash,
  findPendingInvitation,
  insertInvitation,
  listActiveInvitations,
} from "./team-invitation-repository.js";
import { activeMember, actsAsOwner, admitMember, lockActiveTeam, teamNotFound } from "./team-membership.js";
import { countMembers, findTeam } from "./team-repository.js";
import {
  type TeamInvitationCreated,
  type TeamInvitationRead,
  type TeamInvite,
  type TeamMemberRead,
  toTeamInvitationRead,
  toTeamMemberRead,
} from "./team-schema.js";

/**
 * Invitations to teams, callable without HTTP. An invitation is redeemed with a random token
 * shown once, to the inviter; only its SHA-256 is stored, so a database dump redeems nothing.
 */
export interface TeamInvitationService {
  /** Invites `email` into the team; the answer carries the token (the only time it is shown). */
  invite(principal: Principal, teamId: string, input: TeamInvite): Promise<TeamInvitationCreated>;
  /** The team's pending invitations (expired ones flagged), without tokens. */
  list(principal: Principal, teamId: string): Promise<TeamInvitationRead[]>;
  /** Cancels a pending invitation: its team's member managers and its inviter may. */
  cancel(principal: Principal, invitationId: string): Promise<void>;
  /** Redeems a token: the invited user becomes a member with the invitation's role. */
  accept(principal: Principal, token: string): Promise<TeamMemberRead>;
}

/** Collaborators of the invitation service. */
export interface TeamInvitationServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly settings: Pick<Settings, "INVITATION_EXPIRY_DAYS">;
  /** Called after every committed change, so the auth directory is rebuilt. */
  readonly changed: () => void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
// Tokens are 43 characters (32 random bytes, base64url); anything much longer is not one.
const MAX_TOKEN_LENGTH = 256;

/** The SHA-256 (hex) of an invitation token: what the database keeps of it. */
export function invitationTokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const forbidden = (message: string): GatewayError => new GatewayError("forbidden", message);
const invitationNotFound = (): GatewayError => new GatewayError("not_found", "Invitation not found");

/** Creates the invitation service. */
export function createTeamInvitationService({
  db,
  settings,
  changed,
}: TeamInvitationServiceOptions): TeamInvitationService {
  /** The active team, if the caller may see it and manage its members; 404 or 403 otherwise. */
  const managedTeam = async (
    principal: Principal,
    teamId: string,
    what: string,
  ): Promise<EmailTeamsTable> => {
    if (!seesTeam(principal, teamId)) throw teamNotFound(teamId);
    const team = await findTeam(db, teamId);
    if (!team || !toBoolean(team.is_active)) throw teamNotFound(teamId);
    if (!holdsInTeam(principal, "teams.manage_members", teamId)) {
      throw forbidden(`${what} needs the teams.manage_members permission in this team (its owners have it)`);
    }
    return team;
  };

  const readOf = (row: EmailTeamInvitationsTable, team: EmailTeamsTable): TeamInvitationRead =>
    toTeamInvitationRead(row, team.name, Date.now());

  return {
    async invite(principal, teamId, input) {
      const team = await managedTeam(principal, teamId, "Inviting members");
      if (toBoolean(team.is_personal)) throw forbidden("Personal teams do not take members");
      if (input.role === "owner" && !(await actsAsOwner(db, principal, teamId))) {
        throw forbidden("Only owners can invite owners");
      }
      const token = randomBytes(32).toString("base64url");
      const invitedAt = Date.now();
      const row: EmailTeamInvitationsTable = {
        id: newId(),
        team_id: teamId,
        email: input.email,
        role: input.role,
        invited_by: principal.subject,
        invited_at: new Date(invitedAt).toISOString(),
        expires_at: new Date(invitedAt + settings.INVITATION_EXPIRY_DAYS * DAY_MS).toISOString(),
        token_hash: invitationTokenHash(token),
        is_active: true,
      };
      await db.transaction().execute(async (tx) => {
        const locked = await lockActiveTeam(tx, teamId);
        if (await activeMember(tx, teamId, input.email)) {
          throw new GatewayError("conflict", `${input.email} is already a member of team ${locked.name}`);
        }
        const pending = await findPendingInvitation(tx, teamId, input.email, row.invited_at);
        if (pending) {
          throw new GatewayError(
            "conflict",
            `${input.email} already has a pending invitation to team ${locked.name} (id ${pending.id}); cancel it to send a new one`,
          );
        }
        if (locked.max_members !== null && (await countMembers(tx, teamId)) >= locked.max_members) {
          throw new GatewayError(
            "conflict",
            `Team ${locked.name} is full: it has its maximum of ${locked.max_members} members`,
          );
        }
        await insertInvitation(tx, row);
      });
      changed();
      return { ...readOf(row, team), token };
    },

    async list(principal, teamId) {
      const team = await managedTeam(principal, teamId, "Listing invitations");
      return (await listActiveInvitations(db, teamId)).map((row) => readOf(row, team));
    },

    async cancel(principal, invitationId) {
      const invitation = await findInvitation(db, invitationId);
      const inviter = invitation?.invited_by === principal.subject;
      if (!invitation || !(inviter || seesTeam(principal, invitation.team_id))) throw invitationNotFound();
      if (!inviter && !holdsInTeam(principal, "teams.manage_members", invitation.team_id)) {
        throw forbidden("Cancelling an invitation needs the teams.manage_members permission in its team");
      }
      if (!(await closeInvitation(db, invitationId))) {
        throw new GatewayError("conflict", "This invitation was already accepted or cancelled");
      }
      changed();
    },

    async accept(principal, token) {
      if (!actsAsUser(principal)) {
        throw forbidden("Accepting an invitation needs a user account: sign in as the invited user");
      }
      if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw invitationNotFound();
      const invitation = await findInvitationByTokenHash(db, invitationTokenHash(token));
      if (!invitation) throw invitationNotFound();
      if (!toBoolean(invitation.is_active)) {
        throw new GatewayError("bad_request", "This invitation was already accepted or cancelled");
      }
      if (Date.parse(invitation.expires_at) <= Date.now()) {
        throw new GatewayError(
          "bad_request",
          `This invitation expired at ${invitation.expires_at}; ask the team for a new one`,
        );
      }
      if (invitation.email !== principal.subject.toLowerCase()) {
        throw forbidden("This invitation was sent to another e-mail address");
      }
      if (!tokenPermits(principal, "teams.join", invitation.team_id)) {
        throw forbidden("Your token does not allow joining teams (teams.join)");
      }
      const member = await db.transaction().execute(async (tx) => {
        const team = await lockActiveTeam(tx, invitation.team_id);
        // Of two acceptances of one invitation, only the one that closes it goes on.
        if (!(await closeInvitation(tx, invitation.id))) {
          throw new GatewayError("bad_request", "This invitation was already accepted or cancelled");
        }
        return admitMember(tx, team, {
          email: principal.subject,
          role: invitation.role === "owner" ? "owner" : "member",
          invitedBy: invitation.invited_by,
          grantedBy: invitation.invited_by,
        });
      });
      changed();
      return toTeamMemberRead(member);
    },
  };
}
