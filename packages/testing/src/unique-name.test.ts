import { describe, expect, it } from "vitest";
import { uniqueName } from "./unique-name.js";

describe("uniqueName", () => {
  it("returns a safe lowercase identifier of at most 63 characters", () => {
    const name = uniqueName("My Suite: with spaces/and-dashes ".repeat(5));
    expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name.startsWith("cf_my_suite_with_spaces_and_dashes")).toBe(true);
  });

  it("falls back to a placeholder when the label has no usable characters", () => {
    expect(uniqueName("---")).toMatch(/^cf_t_[a-z0-9_]+$/);
  });

  it("never repeats a name", () => {
    const names = new Set(Array.from({ length: 1_000 }, () => uniqueName("same")));
    expect(names.size).toBe(1_000);
  });
});
