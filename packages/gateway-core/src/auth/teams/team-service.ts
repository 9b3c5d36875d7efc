import type { Kysely } from "kysely";
import type { Settings } from "../../config/settings.js";
import type { DatabaseSchema, EmailTeamsTable } from "../../db/database-schema.js";
import { newId, nowIso, toBoolean } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import type { Principal } from "../principal.js";
import { holdsInTeam } from "../rbac/permission-checks.js";
import { actsAsUser, seesTeam, tokenPermits } from "./team-access.js";
import { closeTeamInvitations } from "./team-invitation-repository.js";
import {
  activeMember,
  actsAsOwner,
  admitMember,
  changeMemberRole,
  dismissMember,
  ensureAnotherOwner,
  lockActiveTeam,
  teamNotFound,
} from "./team-membership.js";
import {
  countMembers,
  countTeamsCreatedBy,
  deleteAllMembersAndGrants,
  findTeam,
  freeSlug,
  insertTeam,
  listJoinableTeams,
  listMembers,
  listTeams,
  memberCounts,
  slugTaken,
  updateTeam,
} from "./team-repository.js";
import {
  type TeamCreate,
  type TeamDiscoveryRead,
  type TeamListQuery,
  type TeamMemberRead,
  type TeamRead,
  type TeamRole,
  type TeamUpdate,
  toTeamMemberRead,
  toTeamRead,
} from "./team-schema.js";
import { slugFromName } from "./team-slug.js";

/**
 * Teams and their members, callable without HTTP: each method takes the acting principal and
 * decides what it may do. 404 for a team the caller may not see, 403 for an action it may not
 * take, 409 for one the team's state forbids (the last owner, a full team).
 */
export interface TeamService {
  /** Creates a team; the caller becomes its owner (team_admin). */
  create(principal: Principal, input: TeamCreate): Promise<TeamRead>;
  /** The caller's teams; for a platform admin, every team. */
  list(principal: Principal, query: TeamListQuery): Promise<{ teams: TeamRead[]; total: number }>;
  /** Public teams the caller is not a member of. */
  discover(principal: Principal, query: TeamListQuery): Promise<TeamDiscoveryRead[]>;
  get(principal: Principal, teamId: string): Promise<TeamRead>;
  update(principal: Principal, teamId: string, input: TeamUpdate): Promise<TeamRead>;
  /** Deactivates the team, ends its memberships, revokes its grants and closes its invitations. */
  delete(principal: Principal, teamId: string): Promise<void>;
  members(principal: Principal, teamId: string): Promise<TeamMemberRead[]>;
  setMemberRole(principal: Principal, teamId: string, email: string, role: TeamRole): Promise<TeamMemberRead>;
  removeMember(principal: Principal, teamId: string, email: string): Promise<void>;
  leave(principal: Principal, teamId: string): Promise<void>;
  /** Joins a public team as a member (developer). */
  join(principal: Principal, teamId: string): Promise<TeamMemberRead>;
}

/** Collaborators of the team service. */
export interface TeamServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly settings: Pick<Settings, "MAX_TEAMS_PER_USER">;
  /** Called after every committed change, so the auth directory is rebuilt. */
  readonly changed: () => void;
}

const forbidden = (message: string): GatewayError => new GatewayError("forbidden", message);

/** Creates the team service. */
export function createTeamService({ db, settings, changed }: TeamServiceOptions): TeamService {
  const read = async (team: EmailTeamsTable): Promise<TeamRead> =>
    toTeamRead(team, await countMembers(db, team.id));

  /** The active team, if the caller may see it; 404 otherwise (whether or not it exists). */
  const visibleTeam = async (principal: Principal, teamId: string): Promise<EmailTeamsTable> => {
    if (!seesTeam(principal, teamId)) throw teamNotFound(teamId);
    const team = await findTeam(db, teamId);
    if (!team || !toBoolean(team.is_active)) throw teamNotFound(teamId);
    return team;
  };

  const requireInTeam = (principal: Principal, teamId: string, permission: string, what: string): void => {
    if (!holdsInTeam(principal, permission, teamId)) {
      throw forbidden(`${what} needs the ${permission} permission in this team (its owners have it)`);
    }
  };

  const insertOwnedTeam = (principal: Principal, input: TeamCreate): Promise<EmailTeamsTable> =>
    db.transaction().execute(async (tx) => {
      const created = await countTeamsCreatedBy(tx, principal.subject);
      if (created >= settings.MAX_TEAMS_PER_USER) {
        throw new GatewayError(
          "conflict",
          `You have created ${created} teams, the most one user may (MAX_TEAMS_PER_USER=${settings.MAX_TEAMS_PER_USER})`,
        );
      }
      if (input.slug !== undefined && (await slugTaken(tx, input.slug))) {
        throw new GatewayError("conflict", `Team slug already exists: ${input.slug}`);
      }
      const now = nowIso();
      const team: EmailTeamsTable = {
        id: newId(),
        name: input.name,
        slug: input.slug ?? (await freeSlug(tx, slugFromName(input.name))),
        description: input.description ?? null,
        created_by: principal.subject,
        is_personal: false,
        visibility: input.visibility,
        max_members: input.max_members ?? null,
        is_active: true,
        created_at: now,
        updated_at: now,
      };
      await insertTeam(tx, team);
      await admitMember(tx, team, {
        email: principal.subject,
        role: "owner",
        invitedBy: null,
        grantedBy: principal.subject,
      });
      return team;
    });

  const leave = async (principal: Principal, teamId: string): Promise<void> => {
    const team = await visibleTeam(principal, teamId);
    if (toBoolean(team.is_personal)) throw forbidden("You cannot leave your personal team");
    await db.transaction().execute(async (tx) => {
      await lockActiveTeam(tx, teamId);
      const member = await activeMember(tx, teamId, principal.subject);
      if (!member) throw new GatewayError("conflict", `You are not a member of team ${team.name}`);
      if (member.role === "owner") await ensureAnotherOwner(tx, team, principal.subject);
      await dismissMember(tx, teamId, principal.subject);
    });
    changed();
  };

  return {
    async create(principal, input) {
      if (!actsAsUser(principal) || !tokenPermits(principal, "teams.create", undefined)) {
        throw forbidden("Creating a team needs a user account (and a token allowing teams.create)");
      }
      // A concurrent create may take the derived slug between our check and our insert; the
      // unique index refuses the second, and a retry derives the next free slug.
      let team: EmailTeamsTable | undefined;
      for (let attempt = 1; !team; attempt++) {
        try {
          team = await insertOwnedTeam(principal, input);
        } catch (error) {
          if (error instanceof GatewayError || attempt === 3) throw error;
        }
      }
      changed();
      return read(team);
    },

    async list(principal, query) {
      const all = principal.isAdmin && !principal.token?.publicOnly && principal.token?.teamId === undefined;
      const { rows, total } = await listTeams(db, {
        selection: all ? "all" : { ids: principal.token?.publicOnly ? [] : principal.teamIds },
        includePersonal: query.include_personal ?? !all,
        skip: query.skip,
        limit: query.limit,
      });
      const counts = await memberCounts(
        db,
        rows.map((r) => r.id),
      );
      return { teams: rows.map((r) => toTeamRead(r, counts.get(r.id) ?? 0)), total };
    },

    async discover(principal, query) {
      const rows = await listJoinableTeams(db, principal.subject, query);
      const counts = await memberCounts(
        db,
        rows.map((r) => r.id),
      );
      const user = actsAsUser(principal);
      return rows.map((team) => {
        const count = counts.get(team.id) ?? 0;
        return {
          id: team.id,
          name: team.name,
          description: team.description,
          member_count: count,
          created_at: team.created_at,
          is_joinable: user && (team.max_members === null || count < team.max_members),
        };
      });
    },

    async get(principal, teamId) {
      return read(await visibleTeam(principal, teamId));
    },

    async update(principal, teamId, input) {
      const team = await visibleTeam(principal, teamId);
      requireInTeam(principal, teamId, "teams.update", "Changing a team");
      if (toBoolean(team.is_personal) && input.visibility === "public") {
        throw forbidden("A personal team is always private");
      }
      const patch: Parameters<typeof updateTeam>[2] = {};
      if (input.name !== undefined) patch.name = input.name;
      if (input.description !== undefined) patch.description = input.description;
      if (input.visibility !== undefined) patch.visibility = input.visibility;
      if (input.max_members !== undefined) patch.max_members = input.max_members;
      await db.transaction().execute(async (tx) => {
        await lockActiveTeam(tx, teamId);
        const members = await countMembers(tx, teamId);
        if (input.max_members != null && input.max_members < members) {
          throw new GatewayError(
            "conflict",
            `Team ${team.name} has ${members} members, more than max_members=${input.max_members}`,
          );
        }
        await updateTeam(tx, teamId, patch);
      });
      changed();
      return read(await visibleTeam(principal, teamId));
    },

    async delete(principal, teamId) {
      const team = await visibleTeam(principal, teamId);
      if (toBoolean(team.is_personal)) throw forbidden("Personal teams cannot be deleted");
      const owner =
        tokenPermits(principal, "teams.delete", teamId) &&
        (await activeMember(db, teamId, principal.subject))?.role === "owner";
      if (!owner && !holdsInTeam(principal, "teams.delete", teamId)) {
        throw forbidden("Only the team's owners and platform administrators can delete a team");
      }
      await db.transaction().execute(async (tx) => {
        await lockActiveTeam(tx, teamId);
        await updateTeam(tx, teamId, { is_active: false });
        await deleteAllMembersAndGrants(tx, teamId);
        await closeTeamInvitations(tx, teamId);
      });
      changed();
    },

    async members(principal, teamId) {
      await visibleTeam(principal, teamId);
      return (await listMembers(db, teamId)).map(toTeamMemberRead);
    },

    async setMemberRole(principal, teamId, email, role) {
      await visibleTeam(principal, teamId);
      requireInTeam(principal, teamId, "teams.manage_members", "Changing a member's role");
      const row = await db.transaction().execute(async (tx) => {
        const team = await lockActiveTeam(tx, teamId);
        const member = await activeMember(tx, teamId, email);
        if (!member) throw new GatewayError("not_found", `${email} is not a member of team ${team.name}`);
        if (member.role === role) return member;
        if (!(await actsAsOwner(tx, principal, teamId))) {
          throw forbidden("Only owners can make or unmake owners");
        }
        if (member.role === "owner") await ensureAnotherOwner(tx, team, email);
        await changeMemberRole(tx, teamId, email, role, principal.subject);
        return { ...member, role };
      });
      changed();
      return toTeamMemberRead(row);
    },

    async removeMember(principal, teamId, email) {
      const team = await visibleTeam(principal, teamId);
      const self = email === principal.subject.toLowerCase();
      if (self) return leave(principal, teamId);
      requireInTeam(principal, teamId, "teams.manage_members", "Removing a member");
      await db.transaction().execute(async (tx) => {
        await lockActiveTeam(tx, teamId);
        const member = await activeMember(tx, teamId, email);
        if (!member) throw new GatewayError("not_found", `${email} is not a member of team ${team.name}`);
        if (member.role === "owner") {
          if (!(await actsAsOwner(tx, principal, teamId))) throw forbidden("Only owners can remove owners");
          await ensureAnotherOwner(tx, team, email);
        }
        await dismissMember(tx, teamId, email);
      });
      changed();
    },

    leave,

    async join(principal, teamId) {
      if (!actsAsUser(principal)) throw forbidden("Joining a team needs a user account");
      const team = await findTeam(db, teamId);
      const joinable =
        team !== undefined &&
        toBoolean(team.is_active) &&
        !toBoolean(team.is_personal) &&
        team.visibility === "public";
      if (!joinable) {
        if (team && toBoolean(team.is_active) && seesTeam(principal, teamId)) {
          throw forbidden("Only public teams can be joined; ask an owner for an invitation");
        }
        throw teamNotFound(teamId);
      }
      if (!tokenPermits(principal, "teams.join", teamId))
        throw forbidden("Your token does not allow teams.join");
      const row = await db.transaction().execute(async (tx) =>
        admitMember(tx, await lockActiveTeam(tx, teamId), {
          email: principal.subject,
          role: "member",
          invitedBy: null,
          grantedBy: principal.subject,
        }),
      );
      changed();
      return toTeamMemberRead(row);
    },
  };
}
