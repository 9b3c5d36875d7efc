import type { Kysely } from "kysely";
import type { Settings } from "../../config/settings.js";
import type { DatabaseSchema, EmailUsersTable } from "../../db/database-schema.js";
import { toBoolean } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import type { PasswordHasher } from "../passwords/password-hasher.js";
import { countFailedLogin, findUser, updateUser } from "./user-repository.js";

/** The one answer to an unknown user, a wrong password and an inactive account. */
export const INVALID_CREDENTIALS = "Invalid email or password";

/** Checks an email and password, with lockout after repeated failures. */
export interface CredentialVerifier {
  /**
   * The user's row when `password` is right and the account active and unlocked; otherwise a
   * 401 with {@link INVALID_CREDENTIALS} — or a 403 naming the lock, but only when the password
   * was right, so the lock tells a guesser nothing. `recordLogin` stamps `last_login`.
   */
  verify(
    email: string,
    password: string,
    options: { readonly recordLogin: boolean },
  ): Promise<EmailUsersTable>;
}

/** Collaborators of the verifier. */
export interface CredentialVerifierOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly hasher: PasswordHasher;
  readonly settings: Pick<Settings, "MAX_FAILED_LOGIN_ATTEMPTS" | "ACCOUNT_LOCKOUT_DURATION_MINUTES">;
}

/** Creates the verifier. */
export function createCredentialVerifier({
  db,
  hasher,
  settings,
}: CredentialVerifierOptions): CredentialVerifier {
  const invalid = (): GatewayError => new GatewayError("unauthorized", INVALID_CREDENTIALS);

  const recordFailure = async (email: string, now: Date): Promise<void> => {
    const failures = await countFailedLogin(db, email, now.toISOString());
    if (failures < settings.MAX_FAILED_LOGIN_ATTEMPTS) return;
    // Locked: the count starts again, so the account gets a full set of attempts once unlocked.
    const until = new Date(now.getTime() + settings.ACCOUNT_LOCKOUT_DURATION_MINUTES * 60_000);
    await updateUser(db, email, {
      locked_until: until.toISOString(),
      failed_login_attempts: 0,
      updated_at: now.toISOString(),
    });
  };

  return {
    async verify(rawEmail, password, { recordLogin }) {
      const email = rawEmail.trim().toLowerCase();
      const row = await findUser(db, email);
      if (!row) {
        // The same argon2 work as a real check: response time does not tell whether a user exists.
        await hasher.verifyDummy(password);
        throw invalid();
      }
      const matches = await hasher.verify(row.password_hash, password);
      if (!toBoolean(row.is_active)) throw invalid();
      const now = new Date();
      const lockedUntil =
        row.locked_until !== null && row.locked_until > now.toISOString() ? row.locked_until : null;
      if (lockedUntil !== null) {
        if (!matches) throw invalid();
        throw new GatewayError(
          "forbidden",
          `Account is locked after too many failed logins; try again after ${lockedUntil}`,
        );
      }
      if (!matches) {
        await recordFailure(email, now);
        throw invalid();
      }
      const patch: Partial<EmailUsersTable> = {};
      if (row.failed_login_attempts !== 0) patch.failed_login_attempts = 0;
      if (row.locked_until !== null) patch.locked_until = null;
      if (recordLogin) patch.last_login = now.toISOString();
      // Cost settings changed since this hash was made: upgrade it while the password is at hand.
      if (hasher.needsRehash(row.password_hash)) patch.password_hash = await hasher.hash(password);
      if (Object.keys(patch).length === 0) return row;
      await updateUser(db, email, { ...patch, updated_at: now.toISOString() });
      return { ...row, ...patch };
    },
  };
}
