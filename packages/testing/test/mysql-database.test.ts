import { createConnection, type RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMysqlDatabase, type MysqlDatabase, serviceAvailability, serviceUrl } from "../src/index.js";

const mysql = await serviceAvailability("mysql");

async function query(url: string, sql: string, values: unknown[] = []): Promise<RowDataPacket[]> {
  const connection = await createConnection(url);
  try {
    const [rows] = await connection.query<RowDataPacket[]>(sql, values);
    return rows;
  } finally {
    await connection.end();
  }
}

describe.skipIf(!mysql.available)("createMysqlDatabase", () => {
  let a: MysqlDatabase;
  let b: MysqlDatabase;

  beforeAll(async () => {
    [a, b] = await Promise.all([createMysqlDatabase({ label: "iso a" }), createMysqlDatabase()]);
  });

  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it("gives a safe, unique database name and a URL that selects it", async () => {
    expect(a.name).toMatch(/^cf_iso_a_[a-z0-9_]+$/);
    expect(a.name.length).toBeLessThanOrEqual(63);
    expect(a.name).not.toBe(b.name);
    expect(await query(a.url, "select database() as db")).toEqual([{ db: a.name }]);
  });

  it("keeps two databases apart", async () => {
    await query(a.url, "create table items (id int primary key, label varchar(50))");
    await query(b.url, "create table items (id int primary key, label varchar(50))");
    await query(a.url, "insert into items values (1, 'in a')");
    await query(b.url, "insert into items values (2, 'in b')");
    await query(b.url, "create table only_b (id int)");
    expect(await query(a.url, "select id, label from items")).toEqual([{ id: 1, label: "in a" }]);
    await expect(query(a.url, "select * from only_b")).rejects.toMatchObject({ code: "ER_NO_SUCH_TABLE" });
  });

  it("creates the database with utf8mb4", async () => {
    const rows = await query(
      serviceUrl("mysql"),
      "select default_character_set_name as cs from information_schema.schemata where schema_name = ?",
      [a.name],
    );
    expect(rows).toEqual([{ cs: "utf8mb4" }]);
  });

  it("drops the database, and a second drop is harmless", async () => {
    const c = await createMysqlDatabase({ label: "drop" });
    await query(c.url, "create table t (id int)");
    await c.drop();
    await c.drop();
    const left = await query(
      serviceUrl("mysql"),
      "select 1 from information_schema.schemata where schema_name = ?",
      [c.name],
    );
    expect(left).toEqual([]);
  });
});
