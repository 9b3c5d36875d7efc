import { randomBytes } from "node:crypto";
import { newId } from "../../db/row-values.js";
import { revokeTokenId } from "./token-revocation-repository.js";
import type { Db } from "./user-repository.js";

const SLUG_MAX = 200;

/** `personal-` and the email in lower-case letters, digits and hyphens: `personal-ada-example-com`. */
export function personalTeamSlug(email: string): string {
  const body = email
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `personal-${body}`.slice(0, SLUG_MAX).replace(/-+$/, "");
}

/**
 * Creates the user's personal team (private, `is_personal`) with the user as its owner; the slug
 * is derived from the email and made unique with a short suffix when taken. Returns the team id.
 */
export async function insertPersonalTeam(
  db: Db,
  user: { readonly email: string; readonly displayName: string; readonly now: string },
): Promise<string> {
  const base = personalTeamSlug(user.email);
  let slug = base;
  for (let attempt = 0; ; attempt++) {
    const taken = await db.selectFrom("email_teams").select("id").where("slug", "=", slug).executeTakeFirst();
    if (!taken) break;
    if (attempt >= 5) throw new Error(`no free slug for the personal team of ${user.email}`);
    slug = `${base.slice(0, SLUG_MAX - 9)}-${randomBytes(4).toString("hex")}`;
  }
  const id = newId();
  await db
    .insertInto("email_teams")
    .values({
      id,
      name: `${user.displayName}'s Team`.slice(0, 255),
      slug,
      description: `Personal team of ${user.email}`,
      created_by: user.email,
      is_personal: true,
      visibility: "private",
      max_members: null,
      is_active: true,
      created_at: user.now,
      updated_at: user.now,
    })
    .execute();
  await db
    .insertInto("email_team_members")
    .values({
      id: newId(),
      team_id: id,
      user_email: user.email,
      role: "owner",
      joined_at: user.now,
      invited_by: null,
      is_active: true,
    })
    .execute();
  return id;
}

/**
 * Removes everything that gives `email` access: its memberships and role grants; its API tokens
 * (their ids revoked, so copies of them stop working too); its personal team is deactivated.
 */
export async function removeUserAccess(db: Db, email: string, revokedBy: string, now: string): Promise<void> {
  const tokens = await db
    .selectFrom("email_api_tokens")
    .select(["jti", "expires_at"])
    .where("user_email", "=", email)
    .execute();
  for (const token of tokens) {
    await revokeTokenId(db, {
      jti: token.jti,
      revokedBy,
      reason: "user deleted",
      expiresAt: token.expires_at,
      now,
    });
  }
  await db.deleteFrom("email_api_tokens").where("user_email", "=", email).execute();
  await db.deleteFrom("user_roles").where("user_email", "=", email).execute();
  await db.deleteFrom("email_team_members").where("user_email", "=", email).execute();
  await db
    .updateTable("email_teams")
    .set({ is_active: false, updated_at: now })
    .where("created_by", "=", email)
    .where("is_personal", "=", true)
    .execute();
}
