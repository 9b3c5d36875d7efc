import { describe, expect, it } from "vitest";
import type { Principal, TokenScope } from "../principal.js";
import { actsAsUser, seesTeam, tokenPermits } from "./team-access.js";

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    subject: "ann@example.com",
    via: "jwt",
    isAdmin: false,
    known: true,
    teamIds: ["team-a"],
    personalTeamId: undefined,
    globalPermissions: [],
    teamPermissions: new Map([["team-a", ["teams.read", "teams.update", "teams.manage_members"]]]),
    token: undefined,
    passwordChangeRequired: false,
    ...overrides,
  };
}

function token(overrides: Partial<TokenScope> = {}): TokenScope {
  return {
    tokenRecordId: "t1",
    serverId: undefined,
    permissions: [],
    publicOnly: false,
    teamId: undefined,
    ...overrides,
  };
}

describe("team access", () => {
  it("shows a team to its members and to platform admins only", () => {
    expect(seesTeam(principal(), "team-a")).toBe(true);
    expect(seesTeam(principal(), "team-b")).toBe(false);
    expect(seesTeam(principal({ isAdmin: true, teamIds: [] }), "team-b")).toBe(true);
  });

  it("narrows what a token sees: public-only sees no team, a team-bound admin token only its team", () => {
    expect(seesTeam(principal({ token: token({ publicOnly: true }) }), "team-a")).toBe(false);
    const bound = principal({ isAdmin: true, teamIds: [], token: token({ teamId: "team-b" }) });
    expect(seesTeam(bound, "team-b")).toBe(true);
    expect(seesTeam(bound, "team-c")).toBe(false);
  });

  it("lets a token act only within its scopes and its team", () => {
    expect(tokenPermits(principal(), "teams.delete", "team-a")).toBe(true);
    expect(
      tokenPermits(principal({ token: token({ permissions: ["tools.read"] }) }), "teams.join", "team-a"),
    ).toBe(false);
    expect(
      tokenPermits(principal({ token: token({ permissions: ["teams.*"] }) }), "teams.join", "team-a"),
    ).toBe(true);
    expect(tokenPermits(principal({ token: token({ teamId: "team-a" }) }), "teams.delete", "team-b")).toBe(
      false,
    );
    expect(tokenPermits(principal({ token: token({ teamId: "team-a" }) }), "teams.create", undefined)).toBe(
      true,
    );
    expect(tokenPermits(principal({ token: token({ publicOnly: true }) }), "teams.create", undefined)).toBe(
      false,
    );
  });

  it("treats only stored users as users", () => {
    expect(actsAsUser(principal())).toBe(true);
    expect(actsAsUser(principal({ known: false }))).toBe(false);
    expect(actsAsUser(principal({ token: token({ publicOnly: true }) }))).toBe(false);
  });
});
