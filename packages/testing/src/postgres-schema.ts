import pg from "pg";
import { serviceUrl } from "./service-url.js";
import { uniqueName } from "./unique-name.js";

/** Options for {@link createPostgresSchema}. */
export interface CreatePostgresSchemaOptions {
  /** Server to create the schema on; defaults to `TEST_POSTGRES_URL` or the local instance. */
  readonly url?: string;
  /** Readable part of the schema name, e.g. the suite name. */
  readonly label?: string;
}

/** A schema owned by one test file, and the way to reach it. */
export interface PostgresSchema {
  /** The schema name: a safe lowercase identifier of at most 63 characters. */
  readonly name: string;
  /**
   * A connection URL whose sessions resolve unqualified names in this schema: it carries
   * `options=-c search_path=<name>`, which `pg` and libpq send at connection start-up.
   */
  readonly url: string;
  /** The same as {@link PostgresSchema.url}, as a `pg` client or pool configuration. */
  readonly clientConfig: { readonly connectionString: string; readonly options: string };
  /** Drops the schema and everything in it. Safe to call twice. */
  drop(): Promise<void>;
}

async function runAdmin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withSearchPath(baseUrl: string, schema: string): { url: string; options: string } {
  const parsed = new URL(baseUrl);
  const inherited = parsed.searchParams.get("options");
  parsed.searchParams.delete("options");
  parsed.hash = "";
  const options = `${inherited ? `${inherited} ` : ""}-c search_path=${schema}`;
  // Percent-encode by hand: libpq does not read "+" as a space the way URLSearchParams writes it.
  const separator = parsed.search === "" ? "?" : "&";
  return { url: `${parsed.toString()}${separator}options=${encodeURIComponent(options)}`, options };
}

/**
 * Creates a fresh, uniquely named schema for one test file, so files running in parallel against
 * the same database never see each other's tables. Call `drop()` in `afterAll`.
 */
export async function createPostgresSchema(
  options: CreatePostgresSchemaOptions = {},
): Promise<PostgresSchema> {
  const adminUrl = options.url ?? serviceUrl("postgres");
  const name = uniqueName(options.label);
  await runAdmin(adminUrl, `create schema "${name}"`);
  const { url, options: startupOptions } = withSearchPath(adminUrl, name);
  return {
    name,
    url,
    clientConfig: { connectionString: adminUrl, options: startupOptions },
    drop: () => runAdmin(adminUrl, `drop schema if exists "${name}" cascade`),
  };
}
