/** The real services the test suites may talk to. */
export type ServiceName = "postgres" | "mysql" | "redis";

interface ServiceDefaults {
  readonly label: string;
  readonly envVar: string;
  readonly defaultUrl: string;
}

const SERVICES: Readonly<Record<ServiceName, ServiceDefaults>> = {
  postgres: {
    label: "PostgreSQL",
    envVar: "TEST_POSTGRES_URL",
    defaultUrl: "postgres://postgres@127.0.0.1:5432/postgres",
  },
  mysql: { label: "MySQL", envVar: "TEST_MYSQL_URL", defaultUrl: "mysql://root@127.0.0.1:3306/test" },
  redis: { label: "Redis", envVar: "TEST_REDIS_URL", defaultUrl: "redis://127.0.0.1:6379" },
};

/** Human name of a service, for messages ("PostgreSQL"). */
export function serviceLabel(name: ServiceName): string {
  return SERVICES[name].label;
}

/** The environment variable that points the suites at another instance of `name`. */
export function serviceEnvVar(name: ServiceName): string {
  return SERVICES[name].envVar;
}

/**
 * The URL of `name` for this run: its `TEST_*_URL` variable when set and not empty, otherwise the
 * instance the development machine runs on loopback.
 */
export function serviceUrl(name: ServiceName): string {
  const fromEnv = process.env[SERVICES[name].envVar];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : SERVICES[name].defaultUrl;
}

/** `url` with any password replaced by `***`, safe to print in a test report. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable url>";
  }
}
