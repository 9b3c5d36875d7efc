import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { callerAs } from "../support/api-caller.js";
import { describeEachDialect } from "../support/dialect-matrix.js";
import { createTestGateway, type TestGateway } from "../support/test-gateway.js";

// /teams through the HTTP app, as each user would call it: teams, members, invitations,
// discovery and joining, with what each change leaves in the database (memberships, grants,
// invitation hashes) checked directly.

type Json = Record<string, unknown>;
interface Team extends Json {
  id: string;
  slug: string;
  member_count: number;
}

const PASSWORD = "Correct-Horse-Battery-Staple-9";
const ADMIN = "admin@example.com";
const ALICE = "alice@example.com";
const BOB = "bob@example.com";
const CAROL = "carol@example.com";
const DAVE = "dave@example.com";

await describeEachDialect("REST API /teams", (dialect: DialectName) => {
  let t: TestGateway;

  const as = callerAs(() => t.gateway);
  const db = () => t.gateway.database.db;
  const teamRoles = async (teamId: string) =>
    (
      await db()
        .selectFrom("user_roles")
        .innerJoin("roles", "roles.id", "user_roles.role_id")
        .select(["user_roles.user_email as email", "roles.name as role"])
        .where("user_roles.scope_id", "=", teamId)
        .execute()
    ).sort((a, b) => a.email.localeCompare(b.email));
  const countTeams = async () =>
    Number(
      (
        await db()
          .selectFrom("email_teams")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const newTeam = async (owner: string, body: Json): Promise<Team> => {
    const created = await as<Team>(owner, "POST", "/teams", body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  };

  beforeAll(async () => {
    t = await createTestGateway(dialect, "teams", {
      MAX_TEAMS_PER_USER: "15",
      ARGON2ID_TIME_COST: "1",
      ARGON2ID_MEMORY_COST: "8192",
    });
    for (const email of [ALICE, BOB, CAROL, DAVE]) {
      await t.gateway.auth.users.create({
        email,
        password: PASSWORD,
        full_name: email.split("@")[0] ?? null,
      });
    }
  });
  afterAll(() => t?.close());

  it("creates a team whose creator is its owner, holding team_admin there", async () => {
    const team = await newTeam(ALICE, { name: "Data Science", description: "Models", max_members: 10 });
    expect(team).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: "Data Science",
      slug: "data-science",
      description: "Models",
      created_by: ALICE,
      is_personal: false,
      visibility: "private",
      max_members: 10,
      is_active: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      member_count: 1,
    });
    const members = await as<Json[]>(ALICE, "GET", `/teams/${team.id}/members`);
    expect(members.body).toEqual([
      expect.objectContaining({ user_email: ALICE, role: "owner", is_active: true }),
    ]);
    expect(await teamRoles(team.id)).toEqual([{ email: ALICE, role: "team_admin" }]);

    // The same name again: a suffixed slug. A slug given and taken: 409.
    const again = await newTeam(BOB, { name: "Data Science" });
    expect(again.slug).toBe("data-science-2");
    const taken = await as(BOB, "POST", "/teams", { name: "Other", slug: "data-science" });
    expect(taken.status).toBe(409);
    expect(await as(BOB, "DELETE", `/teams/${again.id}`)).toMatchObject({ status: 200 });
  });

  it("refuses bad input with 422 and stores nothing", async () => {
    const before = await countTeams();
    const bad: unknown[] = [
      {},
      { name: "" },
      { name: "<script>alert(1)</script>" },
      { name: "x'; DROP TABLE email_teams; --" },
      { name: "Ok", visibility: "team" },
      { name: "Ok", max_members: 0 },
      { name: "Ok", slug: "Not A Slug" },
      { name: "Ok", owner: ADMIN },
      { name: "a".repeat(256) },
    ];
    for (const body of bad) {
      const answer = await as<{ code: string }>(ALICE, "POST", "/teams", body);
      expect(answer.status, JSON.stringify(body)).toBe(422);
      expect(answer.body.code).toBe("validation_failed");
    }
    expect((await as(ALICE, "POST", "/teams", "{not json")).status).toBe(400);
    const team = await newTeam(ALICE, { name: "Input Checks" });
    expect((await as(ALICE, "PUT", `/teams/${team.id}`, { visibility: "team" })).status).toBe(422);
    expect((await as(ALICE, "PUT", `/teams/${team.id}/members/not-an-email`, { role: "owner" })).status).toBe(
      422,
    );
    expect((await as(ALICE, "PUT", `/teams/${team.id}/members/${BOB}`, { role: "admin" })).status).toBe(422);
    expect((await as(ALICE, "POST", `/teams/${team.id}/invitations`, { email: "<b>@x" })).status).toBe(422);
    expect((await as(ALICE, "GET", "/teams?limit=0")).status).toBe(422);
    expect(await countTeams()).toBe(before + 1);
    expect(
      await db().selectFrom("email_team_invitations").select("id").where("team_id", "=", team.id).execute(),
    ).toEqual([]);
  });

  it("shows a team to its members and admins only: 404 for others, as for an unknown id", async () => {
    const team = await newTeam(ALICE, { name: "Hidden" });
    const unknown = await as(BOB, "GET", "/teams/0123456789abcdef0123456789abcdef");
    const hidden = await as(BOB, "GET", `/teams/${team.id}`);
    expect(hidden).toEqual({
      status: 404,
      body: { detail: `Team not found: ${team.id}`, code: "not_found" },
    });
    expect(unknown.status).toBe(404);
    for (const [method, path] of [
      ["GET", `/teams/${team.id}/members`],
      ["GET", `/teams/${team.id}/invitations`],
      ["PUT", `/teams/${team.id}`],
      ["DELETE", `/teams/${team.id}`],
      ["POST", `/teams/${team.id}/join`],
      ["POST", `/teams/${team.id}/invitations`],
    ] as const) {
      const body =
        method === "PUT"
          ? { name: "Taken Over" }
          : path.endsWith("/invitations") && method === "POST"
            ? { email: BOB }
            : undefined;
      expect((await as(BOB, method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    expect((await as(ADMIN, "GET", `/teams/${team.id}`)).status).toBe(200);
    expect((await as(ALICE, "GET", `/teams/${team.id}`)).status).toBe(200);

    // Listing: a user sees its own teams (its personal team included); an admin every team.
    const mine = await as<{ teams: Team[]; total: number }>(BOB, "GET", "/teams");
    expect(mine.body.teams.map((x) => x.id)).not.toContain(team.id);
    expect(mine.body.teams.filter((x) => x.is_personal)).toHaveLength(1);
    const all = await as<{ teams: Team[]; total: number }>(ADMIN, "GET", "/teams?limit=100");
    expect(all.body.teams.map((x) => x.id)).toContain(team.id);
    expect(all.body.teams.every((x) => !x.is_personal)).toBe(true);
    const withPersonal = await as<{ teams: Team[]; total: number }>(
      ADMIN,
      "GET",
      "/teams?include_personal=true&limit=100",
    );
    expect(withPersonal.body.total).toBeGreaterThan(all.body.total);
  });

  it("lets owners update a team and refuses members", async () => {
    const team = await newTeam(ALICE, { name: "Editable" });
    await db()
      .insertInto("email_team_members")
      .values({
        id: "m-bob-editable",
        team_id: team.id,
        user_email: BOB,
        role: "member",
        joined_at: new Date().toISOString(),
        invited_by: ALICE,
        is_active: true,
      })
      .execute();
    t.gateway.auth.changed();
    const refused = await as<{ code: string }>(BOB, "PUT", `/teams/${team.id}`, { name: "Mine Now" });
    expect(refused.status).toBe(403);
    const updated = await as<Team>(ALICE, "PUT", `/teams/${team.id}`, {
      name: "Edited",
      description: "new",
      visibility: "public",
      maxMembers: 5,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      name: "Edited",
      description: "new",
      visibility: "public",
      max_members: 5,
    });
    expect(updated.body.slug).toBe("editable");
    expect((await as(ALICE, "PUT", `/teams/${team.id}`, { max_members: 1 })).status).toBe(409);
    const personal = (await as<{ teams: Team[] }>(ALICE, "GET", "/teams")).body.teams.find(
      (x) => x.is_personal,
    );
    expect((await as(ALICE, "PUT", `/teams/${personal?.id}`, { visibility: "public" })).status).toBe(403);
  });

  it("runs an invitation from creation to acceptance; the token is shown once and only its hash is stored", async () => {
    const team = await newTeam(ALICE, { name: "Invites" });
    const created = await as<Json & { id: string; token: string }>(
      ALICE,
      "POST",
      `/teams/${team.id}/invitations`,
      {
        email: "Bob@Example.com",
      },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      team_id: team.id,
      team_name: "Invites",
      email: BOB,
      role: "member",
      invited_by: ALICE,
      is_active: true,
      is_expired: false,
    });
    const { token } = created.body;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const days =
      (Date.parse(String(created.body.expires_at)) - Date.parse(String(created.body.invited_at))) /
      86_400_000;
    expect(days).toBe(7);

    const stored = await db()
      .selectFrom("email_team_invitations")
      .selectAll()
      .where("id", "=", created.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(stored)).not.toContain(token);
    const listed = await as<Json[]>(ALICE, "GET", `/teams/${team.id}/invitations`);
    expect(listed.body).toEqual([expect.objectContaining({ id: created.body.id, email: BOB })]);
    expect(listed.body[0]).not.toHaveProperty("token");

    // A second pending invitation for the same address is refused.
    expect((await as(ALICE, "POST", `/teams/${team.id}/invitations`, { email: BOB })).status).toBe(409);
    // Someone else holding the token cannot redeem it.
    expect((await as(CAROL, "POST", `/teams/invitations/${token}/accept`)).status).toBe(403);
    expect((await as(BOB, "GET", `/teams/${team.id}`)).status).toBe(404);

    const accepted = await as(BOB, "POST", `/teams/invitations/${token}/accept`);
    expect(accepted).toMatchObject({
      status: 200,
      body: { team_id: team.id, user_email: BOB, role: "member", invited_by: ALICE, is_active: true },
    });
    expect(await teamRoles(team.id)).toEqual([
      { email: ALICE, role: "team_admin" },
      { email: BOB, role: "developer" },
    ]);
    expect((await as<Team>(BOB, "GET", `/teams/${team.id}`)).body.member_count).toBe(2);
    const twice = await as<{ detail: string }>(BOB, "POST", `/teams/invitations/${token}/accept`);
    expect(twice.status).toBe(400);
    expect(twice.body.detail).toMatch(/already accepted or cancelled/);
    expect((await as(ALICE, "GET", `/teams/${team.id}/invitations`)).body).toEqual([]);
    expect((await as(BOB, "POST", "/teams/invitations/not-a-token/accept")).status).toBe(404);
    // A member may not invite (no teams.manage_members).
    expect((await as(BOB, "POST", `/teams/${team.id}/invitations`, { email: DAVE })).status).toBe(403);
  });

  it("refuses expired and cancelled invitations", async () => {
    const team = await newTeam(ALICE, { name: "Expiring" });
    const expiring = await as<{ id: string; token: string }>(ALICE, "POST", `/teams/${team.id}/invitations`, {
      email: CAROL,
    });
    await db()
      .updateTable("email_team_invitations")
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where("id", "=", expiring.body.id)
      .execute();
    const listed = await as<Json[]>(ALICE, "GET", `/teams/${team.id}/invitations`);
    expect(listed.body).toEqual([expect.objectContaining({ is_expired: true })]);
    const expired = await as<{ detail: string }>(
      CAROL,
      "POST",
      `/teams/invitations/${expiring.body.token}/accept`,
    );
    expect(expired.status).toBe(400);
    expect(expired.body.detail).toMatch(/expired/);

    // An expired invitation does not block a new one.
    const fresh = await as<{ id: string; token: string }>(ALICE, "POST", `/teams/${team.id}/invitations`, {
      email: CAROL,
    });
    expect(fresh.status).toBe(201);
    expect((await as(BOB, "DELETE", `/teams/invitations/${fresh.body.id}`)).status).toBe(404);
    expect(await as(ALICE, "DELETE", `/teams/invitations/${fresh.body.id}`)).toEqual({
      status: 200,
      body: { success: true, message: "Team invitation cancelled successfully" },
    });
    expect((await as(ALICE, "DELETE", `/teams/invitations/${fresh.body.id}`)).status).toBe(409);
    const cancelled = await as<{ detail: string }>(
      CAROL,
      "POST",
      `/teams/invitations/${fresh.body.token}/accept`,
    );
    expect(cancelled.status).toBe(400);
    expect((await as(CAROL, "GET", `/teams/${team.id}`)).status).toBe(404);
  });

  it("changes roles with their grants and never leaves a team without an owner", async () => {
    const team = await newTeam(ALICE, { name: "Roles" });
    const invite = await as<{ token: string }>(ALICE, "POST", `/teams/${team.id}/invitations`, {
      email: BOB,
    });
    await as(BOB, "POST", `/teams/invitations/${invite.body.token}/accept`);

    // The last owner can neither be demoted nor removed, nor leave.
    const demoteLast = await as<{ detail: string }>(ALICE, "PUT", `/teams/${team.id}/members/${ALICE}`, {
      role: "member",
    });
    expect(demoteLast.status).toBe(409);
    expect(demoteLast.body.detail).toMatch(/last owner/);
    expect((await as(ALICE, "POST", `/teams/${team.id}/leave`)).status).toBe(409);
    expect((await as(ADMIN, "DELETE", `/teams/${team.id}/members/${ALICE}`)).status).toBe(409);
    // A member may not change roles.
    expect((await as(BOB, "PUT", `/teams/${team.id}/members/${BOB}`, { role: "owner" })).status).toBe(403);

    const promoted = await as(ALICE, "PUT", `/teams/${team.id}/members/${BOB}`, { role: "owner" });
    expect(promoted).toMatchObject({ status: 200, body: { user_email: BOB, role: "owner" } });
    expect(await teamRoles(team.id)).toEqual([
      { email: ALICE, role: "team_admin" },
      { email: BOB, role: "team_admin" },
    ]);
    const demoted = await as(BOB, "PUT", `/teams/${team.id}/members/${encodeURIComponent(ALICE)}`, {
      role: "member",
    });
    expect(demoted).toMatchObject({ status: 200, body: { user_email: ALICE, role: "member" } });
    expect(await teamRoles(team.id)).toEqual([
      { email: ALICE, role: "developer" },
      { email: BOB, role: "team_admin" },
    ]);
    // Alice lost teams.update with her role (the directory was rebuilt).
    expect((await as(ALICE, "PUT", `/teams/${team.id}`, { name: "Back" })).status).toBe(403);
    expect((await as(BOB, "PUT", `/teams/${team.id}/members/${DAVE}`, { role: "owner" })).status).toBe(404);

    // Removing a member ends its membership and its grants.
    expect(await as(BOB, "DELETE", `/teams/${team.id}/members/${ALICE}`)).toEqual({
      status: 200,
      body: { success: true, message: "Team member removed successfully" },
    });
    expect(await teamRoles(team.id)).toEqual([{ email: BOB, role: "team_admin" }]);
    expect((await as(ALICE, "GET", `/teams/${team.id}`)).status).toBe(404);
  });

  it("lets members leave, but nobody leave a personal team", async () => {
    const team = await newTeam(ALICE, { name: "Leaving" });
    const invite = await as<{ token: string }>(ALICE, "POST", `/teams/${team.id}/invitations`, {
      email: DAVE,
    });
    await as(DAVE, "POST", `/teams/invitations/${invite.body.token}/accept`);
    expect(await as(DAVE, "DELETE", `/teams/${team.id}/leave`)).toEqual({
      status: 200,
      body: { success: true, message: "Successfully left the team" },
    });
    expect((await as(DAVE, "GET", `/teams/${team.id}`)).status).toBe(404);
    expect((await teamRoles(team.id)).map((r) => r.email)).toEqual([ALICE]);

    const personal = (await as<{ teams: Team[] }>(DAVE, "GET", "/teams")).body.teams.find(
      (x) => x.is_personal,
    );
    expect(personal).toBeDefined();
    expect((await as(DAVE, "POST", `/teams/${personal?.id}/leave`)).status).toBe(403);
    expect((await as(DAVE, "DELETE", `/teams/${personal?.id}`)).status).toBe(403);
    expect((await as(DAVE, "POST", `/teams/${personal?.id}/invitations`, { email: BOB })).status).toBe(403);
  });

  it("deletes a team: owners and admins only; memberships, grants and invitations go with it", async () => {
    const team = await newTeam(ALICE, { name: "Doomed" });
    const invite = await as<{ token: string }>(ALICE, "POST", `/teams/${team.id}/invitations`, {
      email: BOB,
    });
    await as(BOB, "POST", `/teams/invitations/${invite.body.token}/accept`);
    const pending = await as<{ token: string }>(ALICE, "POST", `/teams/${team.id}/invitations`, {
      email: CAROL,
    });
    expect((await as(BOB, "DELETE", `/teams/${team.id}`)).status).toBe(403);
    expect(await as(ALICE, "DELETE", `/teams/${team.id}`)).toEqual({
      status: 200,
      body: { success: true, message: "Team deleted successfully" },
    });
    for (const email of [ALICE, BOB, ADMIN])
      expect((await as(email, "GET", `/teams/${team.id}`)).status).toBe(404);
    expect(await teamRoles(team.id)).toEqual([]);
    expect(
      await db().selectFrom("email_team_members").select("id").where("team_id", "=", team.id).execute(),
    ).toEqual([]);
    expect((await as(CAROL, "POST", `/teams/invitations/${pending.body.token}/accept`)).status).toBe(400);

    const other = await newTeam(BOB, { name: "Admin Deletes" });
    expect((await as(ADMIN, "DELETE", `/teams/${other.id}`)).status).toBe(200);
  });

  it("lists public teams to non-members and lets them join at once, within max_members", async () => {
    const open = await newTeam(ALICE, { name: "Open House", visibility: "public", max_members: 2 });
    const closed = await newTeam(ALICE, { name: "Closed House" });
    const discovered = await as<Json[]>(BOB, "GET", "/teams/discover");
    expect(discovered.status).toBe(200);
    expect(discovered.body).toContainEqual({
      id: open.id,
      name: "Open House",
      description: null,
      member_count: 1,
      created_at: expect.any(String),
      is_joinable: true,
    });
    expect(discovered.body.map((x) => x.id)).not.toContain(closed.id);
    expect((await as<Json[]>(ALICE, "GET", "/teams/discover")).body.map((x) => x.id)).not.toContain(open.id);

    expect((await as(BOB, "POST", `/teams/${closed.id}/join`)).status).toBe(404);
    const joined = await as(BOB, "POST", `/teams/${open.id}/join`, { message: "hi" });
    expect(joined).toMatchObject({
      status: 200,
      body: { team_id: open.id, user_email: BOB, role: "member" },
    });
    expect((await teamRoles(open.id)).find((r) => r.email === BOB)).toEqual({
      email: BOB,
      role: "developer",
    });
    expect((await as(BOB, "POST", `/teams/${open.id}/join`)).status).toBe(409);
    expect((await as<Json[]>(BOB, "GET", "/teams/discover")).body.map((x) => x.id)).not.toContain(open.id);
    const full = await as<{ detail: string }>(CAROL, "POST", `/teams/${open.id}/join`);
    expect(full.status).toBe(409);
    expect(full.body.detail).toMatch(/full/);
  });

  it("stays consistent under concurrent changes: slugs, acceptances, demotions", async () => {
    const twins = await Promise.all(
      [1, 2, 3].map(() => as<Team>(CAROL, "POST", "/teams", { name: "Twins" })),
    );
    expect(twins.map((x) => x.status)).toEqual([201, 201, 201]);
    expect(twins.map((x) => x.body.slug).sort()).toEqual(["twins", "twins-2", "twins-3"]);

    const team = twins[0]?.body as Team;
    const invite = await as<{ token: string }>(CAROL, "POST", `/teams/${team.id}/invitations`, {
      email: DAVE,
      role: "owner",
    });
    const accepts = await Promise.all(
      [1, 2].map(() => as(DAVE, "POST", `/teams/invitations/${invite.body.token}/accept`)),
    );
    expect(accepts.map((x) => x.status).sort()).toEqual([200, 400]);

    // Two owners demote each other at once: exactly one demotion goes through; the other caller
    // is no longer an owner once it holds the team's lock.
    const demotions = await Promise.all([
      as(CAROL, "PUT", `/teams/${team.id}/members/${DAVE}`, { role: "member" }),
      as(DAVE, "PUT", `/teams/${team.id}/members/${CAROL}`, { role: "member" }),
    ]);
    expect(demotions.map((x) => x.status).sort()).toEqual([200, 403]);
    const owners = await db()
      .selectFrom("email_team_members")
      .select("user_email")
      .where("team_id", "=", team.id)
      .where("role", "=", "owner")
      .execute();
    expect(owners).toHaveLength(1);
  });

  it("limits the teams one user creates (MAX_TEAMS_PER_USER)", async () => {
    const user = "prolific@example.com";
    await t.gateway.auth.users.create({ email: user, password: PASSWORD });
    for (let i = 1; i <= 15; i++) await newTeam(user, { name: `Prolific ${i}` });
    const refused = await as<{ detail: string }>(user, "POST", "/teams", { name: "Prolific 16" });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/MAX_TEAMS_PER_USER=15/);
  });
});
