import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderConfigurationDocs } from "../src/config/config-docs.js";
import { SETTINGS_GROUPS, SETTINGS_VARIABLES } from "../src/config/settings-schema.js";

const DOCS = new URL("../../../docs/configuration.md", import.meta.url);

describe("docs/configuration.md", () => {
  it("is up to date with the settings schema", () => {
    const checkedIn = readFileSync(DOCS, "utf8");
    expect(checkedIn, "docs/configuration.md is stale: run `pnpm build && pnpm docs:config`").toBe(
      renderConfigurationDocs(),
    );
  });

  it("lists every variable exactly once, in a group", () => {
    const grouped = SETTINGS_GROUPS.flatMap((group) => group.variables);
    expect([...grouped].sort()).toEqual([...SETTINGS_VARIABLES].sort());
    const docs = renderConfigurationDocs();
    for (const name of SETTINGS_VARIABLES) expect(docs).toContain(`| \`${name}\` |`);
  });
});
