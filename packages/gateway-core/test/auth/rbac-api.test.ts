import { afterAll, beforeAll, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { callerAs } from "../support/api-caller.js";
import { addMember, seedTeam, seedUser } from "../support/auth-fixtures.js";
import { describeEachDialect } from "../support/dialect-matrix.js";
import { createTestGateway, type TestGateway } from "../support/test-gateway.js";

// /rbac through the HTTP app: roles (system roles protected), grants by platform and team
// admins that never give more than the granter holds, and the caller's effective permissions,
// which reflect a grant or a revocation on the very next request.

type Json = Record<string, unknown>;
interface Role extends Json {
  id: string;
  name: string;
  scope: string;
  permissions: string[];
  effective_permissions: string[];
  is_system_role: boolean;
}
interface Grant extends Json {
  id: string;
  role_id: string;
  role_name: string | null;
  scope: string;
  scope_id: string | null;
}

const ADMIN = "admin@example.com";
const ALICE = "alice@example.com";
const BOB = "bob@example.com";
const CAROL = "carol@example.com";

await describeEachDialect("REST API /rbac", (dialect: DialectName) => {
  let t: TestGateway;
  let teamA: string;
  let teamB: string;

  const as = callerAs(() => t.gateway);
  const db = () => t.gateway.database.db;
  const roleCount = async () =>
    Number(
      (
        await db()
          .selectFrom("roles")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const systemRole = async (name: string): Promise<Role> => {
    const roles = await as<Role[]>(ADMIN, "GET", "/rbac/roles");
    const role = roles.body.find((r) => r.name === name);
    if (!role) throw new Error(`no role ${name}`);
    return role;
  };

  beforeAll(async () => {
    t = await createTestGateway(dialect, "rbac", { ARGON2ID_MEMORY_COST: "8192", ARGON2ID_TIME_COST: "1" });
    for (const email of [ALICE, BOB, CAROL]) await seedUser(db(), email);
    teamA = await seedTeam(db(), "team-a", ALICE);
    teamB = await seedTeam(db(), "team-b", BOB);
    await addMember(db(), teamA, CAROL, "viewer");
    t.gateway.auth.changed();
  });
  afterAll(() => t?.close());

  it("lists the system roles to administrators and team admins, not to plain members", async () => {
    const { status, body } = await as<Role[]>(ADMIN, "GET", "/rbac/roles");
    expect(status).toBe(200);
    const names = body.filter((r) => r.is_system_role).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["platform_admin", "team_admin", "developer", "viewer"]));
    expect(body.find((r) => r.name === "platform_admin")).toMatchObject({
      scope: "global",
      permissions: ["*"],
    });
    expect(
      (await as<Role[]>(ALICE, "GET", "/rbac/roles?scope=team")).body.every((r) => r.scope === "team"),
    ).toBe(true);
    expect((await as(CAROL, "GET", "/rbac/roles")).status).toBe(403);
    const viewer = await systemRole("viewer");
    expect((await as<Role>(ALICE, "GET", `/rbac/roles/${viewer.id}`)).body.name).toBe("viewer");
    expect((await as(ADMIN, "GET", "/rbac/roles/no-such-role")).status).toBe(404);
  });

  it("protects the system roles from change and deletion (403)", async () => {
    const admin = await systemRole("platform_admin");
    expect((await as(ADMIN, "PUT", `/rbac/roles/${admin.id}`, { permissions: ["tools.read"] })).status).toBe(
      403,
    );
    expect((await as(ADMIN, "DELETE", `/rbac/roles/${admin.id}`)).status).toBe(403);
    expect((await as<Role>(ADMIN, "GET", `/rbac/roles/${admin.id}`)).body.permissions).toEqual(["*"]);
  });

  it("creates, changes and deletes custom roles (platform admins only), with inheritance", async () => {
    const reader = await as<Role>(ADMIN, "POST", "/rbac/roles", {
      name: "tool reader",
      description: "reads tools",
      scope: "team",
      permissions: ["tools.read", "tools.read"],
    });
    expect(reader.status).toBe(200);
    expect(reader.body).toMatchObject({
      name: "tool reader",
      scope: "team",
      permissions: ["tools.read"],
      is_system_role: false,
      created_by: ADMIN,
    });
    const runner = await as<Role>(ADMIN, "POST", "/rbac/roles", {
      name: "tool runner",
      scope: "team",
      permissions: ["tools.execute"],
      inherits_from: reader.body.id,
    });
    expect(runner.body.effective_permissions.sort()).toEqual(["tools.execute", "tools.read"]);

    expect(
      (await as(ADMIN, "POST", "/rbac/roles", { name: "tool reader", scope: "team", permissions: [] }))
        .status,
    ).toBe(409);
    expect(
      (await as(ALICE, "POST", "/rbac/roles", { name: "mine", scope: "team", permissions: [] })).status,
    ).toBe(403);
    // A cycle through inheritance is refused.
    const cycle = await as(ADMIN, "PUT", `/rbac/roles/${reader.body.id}`, { inherits_from: runner.body.id });
    expect(cycle.status).toBe(422);
    // A parent others inherit from cannot go first.
    expect((await as(ADMIN, "DELETE", `/rbac/roles/${reader.body.id}`)).status).toBe(409);

    const changed = await as<Role>(ADMIN, "PUT", `/rbac/roles/${reader.body.id}`, {
      permissions: ["tools.read", "prompts.read"],
    });
    expect(changed.body.permissions).toEqual(["tools.read", "prompts.read"]);
    expect(
      (await as<Role>(ADMIN, "GET", `/rbac/roles/${runner.body.id}`)).body.effective_permissions.sort(),
    ).toEqual(["prompts.read", "tools.execute", "tools.read"]);

    expect((await as(ADMIN, "DELETE", `/rbac/roles/${runner.body.id}`)).body).toEqual({
      message: "Role deleted successfully",
    });
    expect((await as(ADMIN, "GET", `/rbac/roles/${runner.body.id}`)).status).toBe(404);
  });

  it("answers bad role input with 422 and stores nothing", async () => {
    const before = await roleCount();
    const bad: Json[] = [
      { name: "x", scope: "team", permissions: ["tools.fly"] },
      { name: "x", scope: "galaxy", permissions: [] },
      { name: "<script>alert(1)</script>", scope: "team", permissions: [] },
      { name: "x'; DROP TABLE roles; --", scope: "team", permissions: [] },
      { name: "x", scope: "team", permissions: [], is_system_role: true },
      { name: "x", scope: "team", permissions: [], inherits_from: "no-such-role" },
      { name: "x", scope: "team", permissions: "tools.read" },
      { name: "x", scope: "team" },
      { name: "x", scope: "team", permissions: [], extra: 1 },
    ];
    for (const body of bad)
      expect((await as(ADMIN, "POST", "/rbac/roles", body)).status, JSON.stringify(body)).toBe(422);
    expect(await roleCount()).toBe(before);
  });

  it("reflects a grant and its revocation in /rbac/my/permissions on the next request", async () => {
    const auditor = await as<Role>(ADMIN, "POST", "/rbac/roles", {
      name: "auditor",
      scope: "global",
      permissions: ["admin.security_audit"],
    });
    expect((await as<string[]>(BOB, "GET", "/rbac/my/permissions")).body).not.toContain(
      "admin.security_audit",
    );

    const granted = await as<Grant>(ADMIN, "POST", `/rbac/users/${encodeURIComponent(BOB)}/roles`, {
      role_id: auditor.body.id,
      scope: "global",
    });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({
      user_email: BOB,
      role_name: "auditor",
      scope: "global",
      scope_id: null,
      granted_by: ADMIN,
    });
    expect((await as<string[]>(BOB, "GET", "/rbac/my/permissions")).body).toContain("admin.security_audit");
    expect((await as<Grant[]>(BOB, "GET", "/rbac/my/roles")).body.map((g) => g.role_name)).toContain(
      "auditor",
    );
    const again = await as(ADMIN, "POST", `/rbac/users/${BOB}/roles`, {
      role_id: auditor.body.id,
      scope: "global",
    });
    expect(again.status).toBe(409);

    const revoked = await as(ADMIN, "DELETE", `/rbac/users/${BOB}/roles/${auditor.body.id}`);
    expect(revoked.body).toEqual({ message: "Role revoked successfully" });
    expect((await as<string[]>(BOB, "GET", "/rbac/my/permissions")).body).not.toContain(
      "admin.security_audit",
    );
    expect((await as(ADMIN, "DELETE", `/rbac/users/${BOB}/roles/${auditor.body.id}`)).status).toBe(404);
  });

  it("lets a team admin grant team roles in its own team only, never beyond its own rights", async () => {
    const developer = await systemRole("developer");
    const viewer = await systemRole("viewer");
    // Alice owns team A: she may make Carol a developer there.
    const promote = await as<Grant>(ALICE, "POST", `/rbac/users/${CAROL}/roles`, {
      role_id: developer.id,
      scope: "team",
      scope_id: teamA,
    });
    expect(promote.status).toBe(200);
    const inA = await as<string[]>(CAROL, "GET", `/rbac/my/permissions?team_id=${teamA}`);
    expect(inA.body).toContain("tools.create");

    // Not in team B, not globally, not to a non-member, not with rights she lacks.
    expect(
      (
        await as(ALICE, "POST", `/rbac/users/${BOB}/roles`, {
          role_id: viewer.id,
          scope: "team",
          scope_id: teamB,
        })
      ).status,
    ).toBe(403);
    const platform = await systemRole("platform_admin");
    expect(
      (await as(ALICE, "POST", `/rbac/users/${CAROL}/roles`, { role_id: platform.id, scope: "global" }))
        .status,
    ).toBe(403);
    expect(
      (
        await as(ALICE, "POST", `/rbac/users/${BOB}/roles`, {
          role_id: viewer.id,
          scope: "team",
          scope_id: teamA,
        })
      ).status,
    ).toBe(422);
    const powerful = await as<Role>(ADMIN, "POST", "/rbac/roles", {
      name: "team auditor",
      scope: "team",
      permissions: ["admin.security_audit"],
    });
    const beyond = await as(ALICE, "POST", `/rbac/users/${CAROL}/roles`, {
      role_id: powerful.body.id,
      scope: "team",
      scope_id: teamA,
    });
    expect(beyond.status).toBe(403);
    expect(JSON.stringify(beyond.body)).toContain("admin.security_audit");

    // She sees Carol's grants in team A, and revokes there only.
    const carols = await as<Grant[]>(ALICE, "GET", `/rbac/users/${CAROL}/roles`);
    expect(carols.body.every((g) => g.scope_id === teamA)).toBe(true);
    expect((await as(CAROL, "GET", `/rbac/users/${ALICE}/roles`)).status).toBe(403);
    expect((await as(ALICE, "DELETE", `/rbac/users/${CAROL}/roles/${developer.id}`)).status).toBe(403);
    expect(
      (await as(ALICE, "DELETE", `/rbac/users/${CAROL}/roles/${developer.id}?scope_id=${teamA}`)).status,
    ).toBe(200);
    expect((await as<string[]>(CAROL, "GET", `/rbac/my/permissions?team_id=${teamA}`)).body).not.toContain(
      "tools.create",
    );
  });

  it("ends an expiring grant when it expires", async () => {
    const auditor = await as<Role[]>(ADMIN, "GET", "/rbac/roles?scope=global");
    const role = auditor.body.find((r) => r.name === "auditor");
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const granted = await as<Grant>(ADMIN, "POST", `/rbac/users/${CAROL}/roles`, {
      role_id: role?.id,
      scope: "global",
      expires_at: expiresAt,
    });
    expect(granted.body.expires_at).toBe(expiresAt);
    expect((await as<string[]>(CAROL, "GET", "/rbac/my/permissions")).body).toContain("admin.security_audit");
    await db()
      .updateTable("user_roles")
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where("id", "=", granted.body.id)
      .execute();
    t.gateway.auth.changed();
    expect((await as<string[]>(CAROL, "GET", "/rbac/my/permissions")).body).not.toContain(
      "admin.security_audit",
    );
    expect((await as<Grant[]>(CAROL, "GET", "/rbac/my/roles")).body.map((g) => g.id)).not.toContain(
      granted.body.id,
    );
  });

  it("answers bad grant input with 422 and stores nothing", async () => {
    const viewer = await systemRole("viewer");
    const before = Number(
      (
        await db()
          .selectFrom("user_roles")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const bad: Json[] = [
      { role_id: viewer.id, scope: "team" },
      { role_id: viewer.id, scope: "global" },
      { role_id: viewer.id, scope: "team", scope_id: teamA, expires_at: "yesterday" },
      { role_id: viewer.id, scope: "team", scope_id: teamA, expires_at: "2001-01-01T00:00:00Z" },
      { role_id: viewer.id, scope: "team", scope_id: teamA, extra: true },
    ];
    for (const body of bad) {
      expect((await as(ADMIN, "POST", `/rbac/users/${CAROL}/roles`, body)).status, JSON.stringify(body)).toBe(
        422,
      );
    }
    expect(
      (
        await as(ADMIN, "POST", `/rbac/users/nobody@example.com/roles`, {
          role_id: viewer.id,
          scope: "team",
          scope_id: teamA,
        })
      ).status,
    ).toBe(404);
    const after = Number(
      (
        await db()
          .selectFrom("user_roles")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(after).toBe(before);
  });

  it("checks a permission in a team, on an item, and for others only with admin.security_audit", async () => {
    const check = (email: string, body: Json) => as<Json>(email, "POST", "/rbac/permissions/check", body);
    expect((await check(ALICE, { permission: "tools.create", team_id: teamA })).body).toMatchObject({
      user_email: ALICE,
      permission: "tools.create",
      granted: true,
      checked_by: ALICE,
    });
    expect((await check(ALICE, { permission: "tools.create", team_id: teamB })).body.granted).toBe(false);
    expect((await check(CAROL, { permission: "tools.create" })).body.granted).toBe(false);
    expect((await check(CAROL, { permission: "tools.read" })).body.granted).toBe(true);

    const tool = (name: string, visibility: string) => ({
      tool: { name, url: "https://api.example.com/x", integration_type: "REST", request_type: "GET" },
      visibility,
    });
    const pub = await as<Json>(ADMIN, "POST", "/tools", tool("public_tool", "public"));
    const priv = await as<Json>(ADMIN, "POST", "/tools", tool("private_tool", "private"));
    expect(pub.status).toBe(200);
    const on = (permission: string, id: unknown) => ({ permission, resource_type: "tools", resource_id: id });
    expect((await check(CAROL, on("tools.execute", pub.body.id))).body.granted).toBe(true);
    expect((await check(CAROL, on("tools.update", pub.body.id))).body.granted).toBe(false);
    expect((await check(CAROL, on("tools.execute", priv.body.id))).body.granted).toBe(false);
    expect((await check(CAROL, on("tools.execute", "no-such-tool"))).body.granted).toBe(false);

    expect((await check(CAROL, { permission: "tools.read", user_email: ALICE })).status).toBe(403);
    const forAlice = await check(ADMIN, { permission: "tools.create", team_id: teamA, user_email: ALICE });
    expect(forAlice.body).toMatchObject({ user_email: ALICE, granted: true, checked_by: ADMIN });
    expect((await check(ADMIN, { permission: "tools.read", user_email: "nobody@example.com" })).status).toBe(
      404,
    );

    expect((await check(ALICE, { permission: "tools.fly" })).status).toBe(422);
    expect((await check(ALICE, { permission: "tools.read", resource_type: "tools" })).status).toBe(422);
  });

  it("lists the permissions the gateway knows", async () => {
    const { body } = await as<Json>(CAROL, "GET", "/rbac/permissions/available");
    expect(body.all_permissions).toContain("tools.execute");
    expect((body.permissions_by_resource as Record<string, string[]>).tokens).toEqual([
      "tokens.read",
      "tokens.create",
      "tokens.revoke",
    ]);
    expect(body.total_count).toBe((body.all_permissions as string[]).length);
  });

  it("gives an admin every permission", async () => {
    expect((await as<string[]>(ADMIN, "GET", "/rbac/my/permissions")).body).toContain("*");
  });
});
