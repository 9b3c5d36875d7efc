import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresSchema, type PostgresSchema, serviceAvailability, serviceUrl } from "../src/index.js";

const postgres = await serviceAvailability("postgres");

async function withClient<T>(
  config: string | pg.ClientConfig,
  use: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client(typeof config === "string" ? { connectionString: config } : config);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgres.available)("createPostgresSchema", () => {
  let a: PostgresSchema;
  let b: PostgresSchema;

  beforeAll(async () => {
    [a, b] = await Promise.all([createPostgresSchema({ label: "iso a" }), createPostgresSchema()]);
  });

  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it("gives a safe, unique schema name", () => {
    expect(a.name).toMatch(/^cf_iso_a_[a-z0-9_]+$/);
    expect(a.name.length).toBeLessThanOrEqual(63);
    expect(a.name).not.toBe(b.name);
  });

  it("puts unqualified tables in the schema, through the URL and through the client config", async () => {
    await withClient(a.url, async (client) => {
      expect((await client.query("select current_schema() as s")).rows[0]).toEqual({ s: a.name });
      await client.query("create table items (id int primary key, label text)");
      await client.query("insert into items values (1, 'from url')");
    });
    const rows = await withClient({ ...a.clientConfig }, (client) => client.query("select * from items"));
    expect(rows.rows).toEqual([{ id: 1, label: "from url" }]);
  });

  it("keeps two schemas apart", async () => {
    await withClient(b.url, async (client) => {
      await client.query("create table items (id int primary key, label text)");
      await client.query("insert into items values (2, 'only in b')");
      await client.query("create table only_b (id int)");
    });
    await withClient(a.url, async (client) => {
      expect((await client.query("select id from items")).rows).toEqual([{ id: 1 }]);
      await expect(client.query("select * from only_b")).rejects.toMatchObject({ code: "42P01" });
    });
  });

  it("drops the schema with its tables, and a second drop is harmless", async () => {
    const c = await createPostgresSchema({ label: "drop" });
    await withClient(c.url, (client) => client.query("create table t (id int)"));
    await c.drop();
    await c.drop();
    const left = await withClient(serviceUrl("postgres"), (client) =>
      client.query("select 1 from information_schema.schemata where schema_name = $1", [c.name]),
    );
    expect(left.rowCount).toBe(0);
  });
});
