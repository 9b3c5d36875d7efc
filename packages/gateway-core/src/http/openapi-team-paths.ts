import {
  teamCreateSchema,
  teamInviteSchema,
  teamJoinSchema,
  teamListQuerySchema,
  teamMemberUpdateSchema,
  teamUpdateSchema,
} from "../auth/teams/team-schema.js";
import {
  type ErrorStatus,
  ID_PARAM,
  type JsonObject,
  type OperationDoc,
  pathParam,
  rootPath,
} from "./openapi-helpers.js";

const ARRAY = { type: "array" };
const OUTCOME = "{success, message}";
// The team routes set no body limit of their own (unlike the other auth routes): no 413.
const TEAM_BODY: readonly ErrorStatus[] = [400, 415, 422];

/** The OpenAPI paths of `/teams` (teams, members, invitations), served at the root only. */
export function createTeamPaths(): Record<string, JsonObject> {
  const team = [ID_PARAM];
  const full: ErrorStatus = [409, "Already a member, or the team is full"];
  const leave: OperationDoc = {
    summary: "Leave the team",
    answer: OUTCOME,
    errors: [401, [403, "A personal team cannot be left"], 404, [409, "Not a member, or its last owner"]],
  };
  return {
    "/teams": rootPath("Teams", [], {
      get: {
        summary: "The caller's teams (admins: all)",
        query: teamListQuerySchema,
        answer: "{teams, total}",
        errors: [401, 422],
      },
      post: {
        summary: "Create a team (the caller owns it)",
        body: teamCreateSchema,
        answer: ["201", "The team"],
        errors: [...TEAM_BODY, 401, 403, [409, "Slug taken, or MAX_TEAMS_PER_USER reached"]],
      },
    }),
    "/teams/discover": rootPath("Teams", [], {
      get: {
        summary: "Public teams the caller may join",
        query: teamListQuerySchema,
        answer: ["200", "Teams", ARRAY],
        errors: [401, 422],
      },
    }),
    "/teams/{id}": rootPath("Teams", team, {
      get: { summary: "Get a team", answer: "The team", errors: [401, 404] },
      put: {
        summary: "Change a team",
        body: teamUpdateSchema,
        answer: "The team",
        errors: [...TEAM_BODY, 401, 403, 404, 409],
      },
      delete: { summary: "Delete a team", answer: OUTCOME, errors: [401, 403, 404] },
    }),
    "/teams/{id}/members": rootPath("Teams", team, {
      get: { summary: "The team's members", answer: ["200", "Members", ARRAY], errors: [401, 404] },
    }),
    "/teams/{id}/members/{email}": rootPath("Teams", [...team, pathParam("email")], {
      put: {
        summary: "Change a member's role",
        body: teamMemberUpdateSchema,
        answer: "The membership",
        errors: [...TEAM_BODY, 401, 403, 404, [409, "Its last owner"]],
      },
      delete: {
        summary: "Remove a member",
        answer: OUTCOME,
        errors: [401, 403, 404, [409, "Its last owner"], 422],
      },
    }),
    "/teams/{id}/leave": rootPath("Teams", team, {
      delete: leave,
      post: { ...leave, summary: "Leave the team (POST alias)" },
    }),
    "/teams/{id}/join": rootPath("Teams", team, {
      post: {
        summary: "Join a public team as a member",
        body: teamJoinSchema,
        bodyOptional: true,
        answer: "The membership",
        errors: [...TEAM_BODY, 401, [403, "Not a public team, or the caller cannot join teams"], 404, full],
      },
    }),
    "/teams/{id}/invitations": rootPath("Teams", team, {
      post: {
        summary: "Invite by email",
        body: teamInviteSchema,
        answer: ["201", "The invitation with its token: the only time the token is shown"],
        errors: [
          ...TEAM_BODY,
          401,
          403,
          404,
          [409, "Already a member, already invited, or the team is full"],
        ],
      },
      get: { summary: "Pending invitations", answer: ["200", "Invitations", ARRAY], errors: [401, 403, 404] },
    }),
    "/teams/invitations/{token}/accept": rootPath("Teams", [pathParam("token")], {
      post: {
        summary: "Accept an invitation",
        answer: "The membership",
        errors: [
          [400, "Already accepted, cancelled or expired"],
          401,
          [403, "Sent to another address"],
          404,
          full,
        ],
      },
    }),
    "/teams/invitations/{invitationId}": rootPath("Teams", [pathParam("invitationId")], {
      delete: {
        summary: "Cancel an invitation",
        answer: OUTCOME,
        errors: [401, 403, 404, [409, "Already accepted or cancelled"]],
      },
    }),
  };
}
