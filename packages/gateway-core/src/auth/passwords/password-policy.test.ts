import { describe, expect, it } from "vitest";
import { createPasswordPolicy } from "./password-policy.js";

const policy = createPasswordPolicy({ minLength: 12 });
const EMAIL = "ada.lovelace@example.com";

describe("password policy", () => {
  it("accepts a long, uncommon password", () => {
    expect(policy.problems("Analytical-Engine-1843", EMAIL)).toEqual([]);
    expect(policy.problems("correct horse battery staple", EMAIL)).toEqual([]);
  });

  it("refuses a password shorter than the minimum", () => {
    expect(policy.problems("Sh0rt!pass", EMAIL)).toEqual(["must be at least 12 characters long"]);
  });

  it("refuses a very long password", () => {
    expect(policy.problems("x1y2z3".repeat(50), EMAIL)).toContain("must be at most 256 characters long");
  });

  it("refuses the email, and its local part with digits and symbols around it", () => {
    expect(policy.problems(EMAIL, EMAIL)).toContain("must not be the email address");
    expect(policy.problems(`My-${EMAIL}`, EMAIL)).toContain("must not be the email address");
    expect(policy.problems("Ada.Lovelace-2024!", EMAIL)).toContain("must not be the email address");
    expect(policy.problems("ada.lovelace.rules", EMAIL)).toEqual([]);
  });

  it("refuses common passwords, also with digits and symbols around them", () => {
    for (const password of [
      "password123456",
      "Qwertyuiop123!",
      "2024!iloveyou!!",
      "changeme",
      "letmein123456",
    ]) {
      expect(policy.problems(password, EMAIL), password).toContain("is too common");
    }
  });

  it("refuses repeated and consecutive characters", () => {
    for (const password of [
      "aaaaaaaaaaaaaa",
      "abababababab",
      "123456789012",
      "abcdefghijklm",
      "987654321098",
    ]) {
      expect(policy.problems(password, EMAIL).join(), password).toMatch(/too (simple|common)/);
    }
  });
});
