import { describe, expect, it } from "vitest";
import { buildChildEnvironment } from "./child-environment.js";

describe("buildChildEnvironment", () => {
  const parent = { PATH: "/bin", HOME: "/home/me", LANG: "C.UTF-8", DATABASE_URL: "postgres://secret" };

  it("passes PATH, HOME and LANG of the parent and the server's own env, nothing else", () => {
    expect(buildChildEnvironment({ API_KEY: "k" }, undefined, parent)).toEqual({
      PATH: "/bin",
      HOME: "/home/me",
      LANG: "C.UTF-8",
      API_KEY: "k",
    });
  });

  it("lets the server's env override an inherited variable, and skips unset ones", () => {
    expect(buildChildEnvironment({ PATH: "/opt/bin" }, ["PATH", "TZ"], parent)).toEqual({ PATH: "/opt/bin" });
  });
});
