import { describe, expect, it } from "vitest";
import { slugFromName } from "./team-slug.js";

describe("slugFromName", () => {
  it("keeps lower-case ASCII words joined by single hyphens", () => {
    expect(slugFromName("Data Science (EU)")).toBe("data-science-eu");
    expect(slugFromName("  Équipe -- Zürich ")).toBe("equipe-zurich");
    expect(slugFromName("team_1.prod")).toBe("team-1-prod");
  });

  it("falls back to 'team' and stays within 200 characters, never ending in a hyphen", () => {
    expect(slugFromName("日本語")).toBe("team");
    expect(slugFromName("---")).toBe("team");
    const long = slugFromName(`${"a".repeat(199)} b`);
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long.endsWith("-")).toBe(false);
  });
});
