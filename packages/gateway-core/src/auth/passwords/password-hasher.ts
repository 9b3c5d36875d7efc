import { randomBytes } from "node:crypto";
import { type Algorithm, hash, parseOptions, verify } from "@node-rs/argon2";

/** argon2id cost parameters (the ARGON2ID_* settings). */
export interface PasswordHashCost {
  /** Iterations (`t`). */
  readonly timeCost: number;
  /** Memory in KiB (`m`). */
  readonly memoryCost: number;
  /** Lanes (`p`). */
  readonly parallelism: number;
}

/** Hashes and verifies passwords; the hash is a self-describing PHC string. */
export interface PasswordHasher {
  /** A new PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`) with a random salt. */
  hash(password: string): Promise<string>;
  /** Whether `password` matches `stored`; false (never a throw) for a malformed hash. */
  verify(stored: string, password: string): Promise<boolean>;
  /** Whether `stored` was made with other parameters than the current ones (rehash on login). */
  needsRehash(stored: string): boolean;
  /**
   * Spends the time of one verification against a hash made with the current parameters, so a
   * login for an unknown user takes as long as one with a wrong password.
   */
  verifyDummy(password: string): Promise<void>;
}

// The package's `Algorithm` is a const enum, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
// What a hash of the PHC version 19 (0x13) reports; the package calls it V0x13 = 1.
const VERSION_0X13 = 1;

/** Creates an argon2id hasher (`@node-rs/argon2`: prebuilt N-API binaries, work off the event loop). */
export function createPasswordHasher(cost: PasswordHashCost): PasswordHasher {
  const options = {
    algorithm: ARGON2ID,
    timeCost: cost.timeCost,
    memoryCost: cost.memoryCost,
    parallelism: cost.parallelism,
  };
  let dummy: Promise<string> | undefined;
  const check = async (stored: string, password: string): Promise<boolean> => {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  };
  return {
    hash: (password) => hash(password, options),
    verify: check,
    needsRehash(stored) {
      try {
        const used = parseOptions(stored);
        return (
          used.algorithm !== ARGON2ID ||
          (used.version as number) !== VERSION_0X13 ||
          used.timeCost !== cost.timeCost ||
          used.memoryCost !== cost.memoryCost ||
          used.parallelism !== cost.parallelism
        );
      } catch {
        return true;
      }
    },
    async verifyDummy(password) {
      dummy ??= hash(randomBytes(24).toString("base64url"), options);
      await check(await dummy, password);
    },
  };
}
