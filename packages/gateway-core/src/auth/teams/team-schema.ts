import { z } from "zod";
import type {
  EmailTeamInvitationsTable,
  EmailTeamMembersTable,
  EmailTeamsTable,
} from "../../db/database-schema.js";
import { toBoolean } from "../../db/row-values.js";
import { nameField } from "../../registry/shared/entity-fields.js";
import { isEmail } from "../users/user-schema.js";

/** A member's role in a team: owners manage it (team_admin), members use it (developer). */
export type TeamRole = "owner" | "member";

/** Who may find a team: private teams by invitation only, public ones through `/teams/discover`. */
export type TeamVisibility = "private" | "public";

/** An e-mail address, trimmed and lower-cased (how users are stored), by the users' rule. */
export const emailField: z.ZodType<string> = z
  .string()
  .trim()
  .toLowerCase()
  .max(255, "must be at most 255 characters")
  .refine(isEmail, "must be an email address");

/** A slug given by the caller: lower-case words of letters and digits joined by hyphens. */
const slugField = z
  .string()
  .max(255, "must be at most 255 characters")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "may contain lower-case letters, digits and single hyphens");

const teamDescription = z.string().max(1000, "must be at most 1000 characters");
const teamVisibility = z.enum(["private", "public"]);
const maxMembers = z.int().min(1, "must be at least 1").max(100_000, "must be at most 100000");
const teamRole = z.enum(["owner", "member"]);

/** `POST /teams` body, after validation. A slug is derived from the name unless given. */
export interface TeamCreate {
  readonly name: string;
  readonly slug?: string | undefined;
  readonly description?: string | null | undefined;
  readonly visibility: TeamVisibility;
  readonly max_members?: number | null | undefined;
}

/** `PUT /teams/{id}` body: the fields to change (`null` clears description and max_members). */
export interface TeamUpdate {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly visibility?: TeamVisibility | undefined;
  readonly max_members?: number | null | undefined;
}

/** `POST /teams/{id}/invitations` body, after validation. */
export interface TeamInvite {
  readonly email: string;
  readonly role: TeamRole;
}

/** `GET /teams` and `GET /teams/discover` query, after validation. */
export interface TeamListQuery {
  /** Include personal teams (default: yes for one's own teams, no for an admin's list of all). */
  readonly include_personal?: boolean | undefined;
  readonly skip: number;
  readonly limit: number;
}

/** Validates `POST /teams`. */
export const teamCreateSchema: z.ZodType<TeamCreate> = z.strictObject({
  name: nameField,
  slug: slugField.optional(),
  description: teamDescription.nullable().optional(),
  visibility: teamVisibility.default("private"),
  max_members: maxMembers.nullable().optional(),
});

/** Validates `PUT /teams/{id}`. */
export const teamUpdateSchema: z.ZodType<TeamUpdate> = z.strictObject({
  name: nameField.optional(),
  description: teamDescription.nullable().optional(),
  visibility: teamVisibility.optional(),
  max_members: maxMembers.nullable().optional(),
});

/** Validates `PUT /teams/{id}/members/{email}`. */
export const teamMemberUpdateSchema: z.ZodType<{ role: TeamRole }> = z.strictObject({ role: teamRole });

/** Validates `POST /teams/{id}/invitations`. */
export const teamInviteSchema: z.ZodType<TeamInvite> = z.strictObject({
  email: emailField,
  role: teamRole.default("member"),
});

/** Validates `POST /teams/{id}/join`: ContextForge's join request; the message is not kept. */
export const teamJoinSchema: z.ZodType<{ message?: string | null | undefined }> = z.strictObject({
  message: z.string().max(1000, "must be at most 1000 characters").nullable().optional(),
});

const flag = z.enum(["true", "false"]).transform((value) => value === "true");

/** Validates the query of `GET /teams` and `GET /teams/discover` (other parameters are ignored). */
export const teamListQuerySchema: z.ZodType<TeamListQuery> = z.object({
  include_personal: flag.optional(),
  skip: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** A team as the API shows it (ContextForge's TeamResponse). */
export interface TeamRead {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly description: string | null;
  readonly created_by: string;
  readonly is_personal: boolean;
  readonly visibility: string;
  readonly max_members: number | null;
  readonly is_active: boolean;
  readonly created_at: string;
  readonly updated_at: string;
  readonly member_count: number;
}

/** A public team the caller may join (ContextForge's TeamDiscoveryResponse). */
export interface TeamDiscoveryRead {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly member_count: number;
  readonly created_at: string;
  readonly is_joinable: boolean;
}

/** A membership (ContextForge's TeamMemberResponse). */
export interface TeamMemberRead {
  readonly id: string;
  readonly team_id: string;
  readonly user_email: string;
  readonly role: string;
  readonly joined_at: string;
  readonly invited_by: string | null;
  readonly is_active: boolean;
}

/** An invitation (ContextForge's TeamInvitationResponse, without the token). */
export interface TeamInvitationRead {
  readonly id: string;
  readonly team_id: string;
  readonly team_name: string;
  readonly email: string;
  readonly role: string;
  readonly invited_by: string;
  readonly invited_at: string;
  readonly expires_at: string;
  readonly is_active: boolean;
  readonly is_expired: boolean;
}

/** A new invitation with its token: the only time the token is shown. */
export interface TeamInvitationCreated extends TeamInvitationRead {
  readonly token: string;
}

/** A team row as the API shows it. */
export function toTeamRead(row: EmailTeamsTable, memberCount: number): TeamRead {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    created_by: row.created_by,
    is_personal: toBoolean(row.is_personal),
    visibility: row.visibility,
    max_members: row.max_members,
    is_active: toBoolean(row.is_active),
    created_at: row.created_at,
    updated_at: row.updated_at,
    member_count: memberCount,
  };
}

/** A membership row as the API shows it. */
export function toTeamMemberRead(row: EmailTeamMembersTable): TeamMemberRead {
  return {
    id: row.id,
    team_id: row.team_id,
    user_email: row.user_email,
    role: row.role,
    joined_at: row.joined_at,
    invited_by: row.invited_by,
    is_active: toBoolean(row.is_active),
  };
}

/** An invitation row as the API shows it, `now` deciding whether it has expired. */
export function toTeamInvitationRead(
  row: EmailTeamInvitationsTable,
  teamName: string,
  now: number,
): TeamInvitationRead {
  return {
    id: row.id,
    team_id: row.team_id,
    team_name: teamName,
    email: row.email,
    role: row.role,
    invited_by: row.invited_by,
    invited_at: row.invited_at,
    expires_at: row.expires_at,
    is_active: toBoolean(row.is_active),
    is_expired: Date.parse(row.expires_at) <= now,
  };
}
