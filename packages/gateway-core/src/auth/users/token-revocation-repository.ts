import type { Db } from "./user-repository.js";

/** A token id to refuse from now on. */
export interface TokenRevocation {
  readonly jti: string;
  readonly revokedBy: string;
  readonly reason: string;
  /** When the token would have expired anyway (ISO-8601); the row may be purged after it. */
  readonly expiresAt: string | null;
  readonly now: string;
}

/** Records a revoked token id; revoking it again changes nothing. */
export async function revokeTokenId(db: Db, revocation: TokenRevocation): Promise<void> {
  const existing = await db
    .selectFrom("token_revocations")
    .select("jti")
    .where("jti", "=", revocation.jti)
    .executeTakeFirst();
  if (existing) return;
  try {
    await db
      .insertInto("token_revocations")
      .values({
        jti: revocation.jti,
        revoked_at: revocation.now,
        revoked_by: revocation.revokedBy,
        reason: revocation.reason,
        expires_at: revocation.expiresAt,
      })
      .execute();
  } catch (error) {
    // Two logouts of one token at once: the other one recorded it.
    const raced = await db
      .selectFrom("token_revocations")
      .select("jti")
      .where("jti", "=", revocation.jti)
      .executeTakeFirst();
    if (!raced) throw error;
  }
}
