import { describe, expect, it } from "vitest";
import type { Principal, TokenScope } from "../principal.js";
import { holdsFor, holdsGlobally, holdsInTeam, managesTeam, readsRoles } from "./permission-checks.js";

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    subject: "ann@example.com",
    via: "jwt",
    isAdmin: false,
    known: true,
    teamIds: ["team-a", "team-b"],
    personalTeamId: undefined,
    globalPermissions: [],
    teamPermissions: new Map([
      ["team-a", ["tools.*", "teams.manage_members", "admin.user_management"]],
      ["team-b", ["tools.read"]],
    ]),
    token: undefined,
    passwordChangeRequired: false,
    ...overrides,
  };
}

const token = (overrides: Partial<TokenScope>): TokenScope => ({
  tokenRecordId: "t1",
  serverId: undefined,
  permissions: [],
  publicOnly: false,
  teamId: undefined,
  ...overrides,
});

describe("permission checks", () => {
  it("does not let a team-scope grant of an admin permission count globally", () => {
    const ann = principal();
    expect(holdsGlobally(ann, "admin.user_management")).toBe(false);
    expect(managesTeam(ann, null)).toBe(false);
    expect(managesTeam(ann, "team-a")).toBe(true);
    expect(managesTeam(ann, "team-b")).toBe(false);
    expect(readsRoles(ann)).toBe(true);
  });

  it("holds a permission in a team by a role there or globally", () => {
    const ann = principal({ globalPermissions: ["prompts.read"] });
    expect(holdsInTeam(ann, "tools.create", "team-a")).toBe(true);
    expect(holdsInTeam(ann, "tools.create", "team-b")).toBe(false);
    expect(holdsInTeam(ann, "prompts.read", "team-b")).toBe(true);
    expect(holdsFor(ann, "tools.create", null)).toBe(true);
    expect(holdsFor(ann, "servers.read", null)).toBe(false);
  });

  it("gives a platform admin everything its token allows", () => {
    const admin = principal({ isAdmin: true, teamPermissions: new Map() });
    expect(holdsGlobally(admin, "admin.system_config")).toBe(true);
    expect(holdsInTeam(admin, "tools.delete", "any-team")).toBe(true);
    const narrowed = principal({ isAdmin: true, token: token({ permissions: ["tools.read"] }) });
    expect(holdsGlobally(narrowed, "admin.user_management")).toBe(false);
    expect(holdsGlobally(narrowed, "tools.read")).toBe(true);
  });

  it("keeps a token bound to one team out of the others", () => {
    const bound = principal({ token: token({ teamId: "team-b" }) });
    expect(holdsInTeam(bound, "tools.create", "team-a")).toBe(false);
    expect(holdsInTeam(bound, "tools.read", "team-b")).toBe(true);
    expect(managesTeam(bound, "team-a")).toBe(false);
  });
});
