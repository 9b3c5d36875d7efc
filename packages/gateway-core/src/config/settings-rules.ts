import type { Settings } from "./settings.js";

/** Shortest secret accepted in production (ContextForge's rule too). */
export const MIN_SECRET_LENGTH = 32;

/** The password `BASIC_AUTH_PASSWORD` and `PLATFORM_ADMIN_PASSWORD` take outside production. */
export const DEVELOPMENT_PASSWORD = "changeme";

/** Settings as the field schemas parse them, before the defaults that depend on ENVIRONMENT. */
export type ParsedSettings = Omit<Settings, "BASIC_AUTH_PASSWORD" | "PLATFORM_ADMIN_PASSWORD"> & {
  readonly BASIC_AUTH_PASSWORD?: string | undefined;
  readonly PLATFORM_ADMIN_PASSWORD?: string | undefined;
};

/** A problem with one variable, found by a rule that looks at several. */
export interface SettingsProblem {
  readonly variable: keyof Settings;
  readonly message: string;
}

const ASYMMETRIC = new Set(["RS256", "ES256"]);

function secretProblem(variable: keyof Settings, value: string | undefined): SettingsProblem | undefined {
  if (value === undefined) {
    return {
      variable,
      message: `required in production: set a random secret of at least ${MIN_SECRET_LENGTH} characters`,
    };
  }
  if (value.length < MIN_SECRET_LENGTH) {
    return {
      variable,
      message: `too weak for production: ${value.length} characters, at least ${MIN_SECRET_LENGTH} needed`,
    };
  }
  return undefined;
}

function passwordProblem(variable: keyof Settings, value: string | undefined): SettingsProblem | undefined {
  if (value === undefined) {
    return { variable, message: `required in production (the development default is not used there)` };
  }
  if (value === DEVELOPMENT_PASSWORD) {
    return { variable, message: `must not be the default "${DEVELOPMENT_PASSWORD}" in production` };
  }
  return undefined;
}

/** Rules that span several variables; production's secret rules among them. */
export function crossFieldProblems(settings: ParsedSettings): SettingsProblem[] {
  const problems: (SettingsProblem | undefined)[] = [];
  const asymmetric = ASYMMETRIC.has(settings.JWT_ALGORITHM);
  if (asymmetric) {
    for (const variable of ["JWT_PUBLIC_KEY_PATH", "JWT_PRIVATE_KEY_PATH"] as const) {
      if (settings[variable] === "") {
        problems.push({ variable, message: `required when JWT_ALGORITHM is ${settings.JWT_ALGORITHM}` });
      }
    }
  }
  if (settings.ENVIRONMENT === "production") {
    if (!asymmetric) problems.push(secretProblem("JWT_SECRET_KEY", settings.JWT_SECRET_KEY));
    problems.push(secretProblem("AUTH_ENCRYPTION_SECRET", settings.AUTH_ENCRYPTION_SECRET));
    problems.push(passwordProblem("BASIC_AUTH_PASSWORD", settings.BASIC_AUTH_PASSWORD));
    problems.push(passwordProblem("PLATFORM_ADMIN_PASSWORD", settings.PLATFORM_ADMIN_PASSWORD));
  }
  if (settings.PAGINATION_DEFAULT_PAGE_SIZE > settings.PAGINATION_MAX_PAGE_SIZE) {
    problems.push({
      variable: "PAGINATION_DEFAULT_PAGE_SIZE",
      message: `must not exceed PAGINATION_MAX_PAGE_SIZE (${settings.PAGINATION_MAX_PAGE_SIZE})`,
    });
  }
  if (settings.HEALTH_CHECK_INTERVAL > 0 && settings.HEALTH_CHECK_TIMEOUT > settings.HEALTH_CHECK_INTERVAL) {
    problems.push({
      variable: "HEALTH_CHECK_TIMEOUT",
      message: `must not exceed HEALTH_CHECK_INTERVAL (${settings.HEALTH_CHECK_INTERVAL})`,
    });
  }
  if (settings.REDIS_LEADER_HEARTBEAT_INTERVAL >= settings.REDIS_LEADER_TTL) {
    problems.push({
      variable: "REDIS_LEADER_HEARTBEAT_INTERVAL",
      message: `must be less than REDIS_LEADER_TTL (${settings.REDIS_LEADER_TTL})`,
    });
  }
  return problems.filter((problem) => problem !== undefined);
}
