import { describe, expect, it } from "vitest";
import {
  canSee,
  holdsAnywhere,
  may,
  mayCreate,
  type Ownership,
  passes,
  visibilityFilter,
  visibilityKey,
} from "./access.js";
import type { Principal, TokenScope } from "./principal.js";

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    subject: "ann@example.com",
    via: "jwt",
    isAdmin: false,
    known: true,
    teamIds: ["team-a"],
    personalTeamId: "personal-ann",
    globalPermissions: [],
    teamPermissions: new Map([
      ["team-a", ["tools.read", "tools.execute", "tools.create"]],
      ["personal-ann", ["tools.*", "servers.*"]],
    ]),
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

const PUBLIC: Ownership = { visibility: "public", teamId: "team-b", ownerEmail: "bob@example.com" };
const TEAM_A: Ownership = { visibility: "team", teamId: "team-a", ownerEmail: "bob@example.com" };
const TEAM_B: Ownership = { visibility: "team", teamId: "team-b", ownerEmail: "bob@example.com" };
const MINE: Ownership = { visibility: "private", teamId: "personal-ann", ownerEmail: "ann@example.com" };
const BOBS: Ownership = { visibility: "private", teamId: "team-a", ownerEmail: "bob@example.com" };
const ODD: Ownership = { visibility: "secret", teamId: null, ownerEmail: null };
const ITEMS = [PUBLIC, TEAM_A, TEAM_B, MINE, BOBS, ODD];

describe("canSee", () => {
  it("shows public items, the caller's teams' items and its own private items", () => {
    const ann = principal();
    expect(ITEMS.map((item) => canSee(ann, item))).toEqual([true, true, false, true, false, false]);
  });

  it("shows everything to a platform admin, except what its token narrows", () => {
    const admin = principal({ isAdmin: true, teamIds: [] });
    expect(ITEMS.map((item) => canSee(admin, item))).toEqual([true, true, true, true, true, true]);
    const teamBound = principal({ isAdmin: true, teamIds: [], token: token({ teamId: "team-b" }) });
    // A token bound to a team: that team, public items and the owner's own.
    expect(ITEMS.map((item) => canSee(teamBound, item))).toEqual([true, false, true, true, false, false]);
  });

  it("shows only public items to a public-only token", () => {
    const publicOnly = principal({ teamIds: [], token: token({ publicOnly: true }) });
    expect(ITEMS.map((item) => canSee(publicOnly, item))).toEqual([true, false, false, false, false, false]);
  });

  it("is exactly what the SQL filter keeps, for every kind of principal", () => {
    const principals = [
      principal(),
      principal({ isAdmin: true }),
      principal({ isAdmin: true, token: token({ teamId: "team-b" }) }),
      principal({ token: token({ publicOnly: true }) }),
      principal({ known: false, teamIds: [], teamPermissions: new Map() }),
    ];
    for (const p of principals) {
      const filter = visibilityFilter(p);
      for (const item of ITEMS)
        expect(passes(filter, item), JSON.stringify([filter, item])).toBe(canSee(p, item));
    }
  });

  it("keys caches by what a principal sees", () => {
    expect(visibilityKey(principal())).toBe(visibilityKey(principal({ globalPermissions: ["tools.read"] })));
    expect(visibilityKey(principal())).not.toBe(visibilityKey(principal({ teamIds: ["team-b"] })));
    expect(visibilityKey(principal({ isAdmin: true }))).toBe("all");
    expect(visibilityKey(principal({ token: token({ publicOnly: true }) }))).toBe("public");
  });
});

describe("may", () => {
  it("lets anyone who sees a public item use it, but not change it", () => {
    const stranger = principal({ teamIds: [], teamPermissions: new Map(), known: false });
    expect(may(stranger, "tools.execute", PUBLIC)).toBe(true);
    expect(may(stranger, "tools.read", PUBLIC)).toBe(true);
    expect(may(stranger, "tools.update", PUBLIC)).toBe(false);
    expect(may(stranger, "tools.delete", PUBLIC)).toBe(false);
  });

  it("uses the roles the caller holds in the item's team", () => {
    const ann = principal();
    expect(may(ann, "tools.execute", TEAM_A)).toBe(true);
    expect(may(ann, "tools.update", TEAM_A)).toBe(false);
    const viewer = principal({ teamPermissions: new Map([["team-a", ["tools.read"]]]) });
    expect(may(viewer, "tools.read", TEAM_A)).toBe(true);
    expect(may(viewer, "tools.execute", TEAM_A)).toBe(false);
  });

  it("lets owners change their own items and never acts on what the caller cannot see", () => {
    const ann = principal();
    expect(may(ann, "tools.delete", MINE)).toBe(true);
    expect(may(ann, "tools.read", TEAM_B)).toBe(false);
    expect(may(ann, "tools.read", BOBS)).toBe(false);
  });

  it("intersects a token's permissions with the user's", () => {
    const readOnly = principal({ token: token({ permissions: ["tools.read"] }) });
    expect(may(readOnly, "tools.read", TEAM_A)).toBe(true);
    expect(may(readOnly, "tools.execute", TEAM_A)).toBe(false);
    expect(may(readOnly, "tools.execute", PUBLIC)).toBe(false);
    const admin = principal({ isAdmin: true, token: token({ permissions: ["tools.*"] }) });
    expect(may(admin, "tools.delete", TEAM_B)).toBe(true);
    expect(may(admin, "servers.delete", { ...TEAM_B })).toBe(false);
  });

  it("gives a global grant everywhere the caller sees", () => {
    const globalDev = principal({ globalPermissions: ["tools.*"] });
    expect(may(globalDev, "tools.delete", PUBLIC)).toBe(true);
    expect(may(globalDev, "tools.delete", TEAM_B)).toBe(false);
  });
});

describe("mayCreate", () => {
  it("allows stored users in their own space and members with the grant in a team", () => {
    const ann = principal();
    expect(mayCreate(ann, "tools", undefined)).toBe(true);
    expect(mayCreate(ann, "tools", "team-a")).toBe(true);
    expect(mayCreate(ann, "servers", "team-a")).toBe(false);
    expect(mayCreate(ann, "tools", "team-b")).toBe(false);
  });

  it("refuses bare JWT subjects, public-only tokens and tokens bound to another team", () => {
    expect(mayCreate(principal({ known: false, teamPermissions: new Map() }), "tools", undefined)).toBe(
      false,
    );
    expect(mayCreate(principal({ token: token({ publicOnly: true }) }), "tools", undefined)).toBe(false);
    expect(mayCreate(principal({ token: token({ teamId: "team-b" }) }), "tools", "team-a")).toBe(false);
    expect(mayCreate(principal({ isAdmin: true }), "gateways", "team-z")).toBe(true);
  });

  it("finds a permission held in any scope", () => {
    expect(holdsAnywhere(principal(), "servers.update")).toBe(true);
    expect(holdsAnywhere(principal(), "admin.user_management")).toBe(false);
    expect(holdsAnywhere(principal({ isAdmin: true }), "admin.user_management")).toBe(true);
  });
});
