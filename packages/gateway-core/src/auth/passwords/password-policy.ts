import { COMMON_PASSWORDS } from "./common-passwords.js";

/** The rules a new password must meet (NIST SP 800-63B style: length and a blocklist, no composition rules). */
export interface PasswordPolicy {
  /** Why `password` is refused for the user `email` (empty when it is acceptable). */
  problems(password: string, email: string): string[];
}

/** Longest password accepted: argon2 takes any length, the limit only bounds the work per request. */
export const PASSWORD_MAX_LENGTH = 256;

const EDGES = /^[\d\W_]+|[\d\W_]+$/gu;

/** Whether each character follows the previous one (abcd..., 4321..., digits wrapping 9 -> 0). */
function isRun(text: string): boolean {
  const step = (a: string, b: string): number => {
    const difference = b.charCodeAt(0) - a.charCodeAt(0);
    if (!/\d/.test(a) || !/\d/.test(b)) return difference;
    const wrapped = (difference + 10) % 10;
    return wrapped === 1 ? 1 : wrapped === 9 ? -1 : 0;
  };
  const characters = [...text];
  const first = step(characters[0] ?? "", characters[1] ?? "");
  if (characters.length < 3 || (first !== 1 && first !== -1)) return false;
  return characters.every((c, i) => i === 0 || step(characters[i - 1] ?? "", c) === first);
}

/** Creates the policy: at least `minLength` characters, not the email, not a common or trivial password. */
export function createPasswordPolicy(options: { readonly minLength: number }): PasswordPolicy {
  return {
    problems(password, email) {
      const problems: string[] = [];
      const characters = [...password];
      if (characters.length < options.minLength) {
        problems.push(`must be at least ${options.minLength} characters long`);
      }
      if (characters.length > PASSWORD_MAX_LENGTH) {
        problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
      }
      const lower = password.toLowerCase();
      const stem = lower.replace(EDGES, "");
      const normalisedEmail = email.trim().toLowerCase();
      const localPart = normalisedEmail.split("@")[0] ?? "";
      // The email, or its local part with only digits and symbols around it ("ada.lovelace2024!").
      if (
        lower.includes(normalisedEmail) ||
        (localPart.length > 0 && (lower === localPart || stem === localPart))
      ) {
        problems.push("must not be the email address");
      }
      if (COMMON_PASSWORDS.has(lower) || (stem.length > 0 && COMMON_PASSWORDS.has(stem))) {
        problems.push("is too common");
      } else if (new Set(characters).size < 5 || isRun(lower)) {
        problems.push("is too simple (repeated or consecutive characters)");
      }
      return problems;
    },
  };
}
