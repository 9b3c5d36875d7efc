import { describe, expect, it } from "vitest";
import { loadSettings } from "./load-settings.js";
import { displayValue, maskSettings, maskUrlCredentials } from "./mask-values.js";

describe("masking", () => {
  it("hides the password inside a URL and keeps the rest", () => {
    expect(maskUrlCredentials("postgresql://app:s3cret@db:5432/mcp")).toBe(
      "postgresql://app:*****@db:5432/mcp",
    );
    expect(maskUrlCredentials("redis://:s3cret@cache:6379/0")).toBe("redis://:*****@cache:6379/0");
    expect(maskUrlCredentials("sqlite:///./mcp.db")).toBe("sqlite:///./mcp.db");
  });

  it("masks secret variables entirely", () => {
    expect(displayValue("JWT_SECRET_KEY", "abc")).toBe("*****");
    expect(displayValue("HOST", "0.0.0.0")).toBe("0.0.0.0");
  });

  it("gives settings that can be logged without any secret in them", () => {
    const settings = loadSettings({
      JWT_SECRET_KEY: "jwt-secret-value",
      AUTH_ENCRYPTION_SECRET: "encryption-secret-value",
      DATABASE_URL: "postgresql://app:db-password@db/mcp",
    });
    const text = JSON.stringify(maskSettings(settings));
    for (const secret of ["jwt-secret-value", "encryption-secret-value", "db-password", "changeme"]) {
      expect(text).not.toContain(secret);
    }
    expect(maskSettings(settings)).toMatchObject({ PORT: 4444, BASIC_AUTH_PASSWORD: "*****" });
  });
});
