import { describe, expect, it } from "vitest";
import { splitCommandLine } from "./split-command-line.js";

describe("splitCommandLine", () => {
  it("splits on blanks", () => {
    expect(splitCommandLine("  npx -y  @scope/server\t--flag ")).toEqual([
      "npx",
      "-y",
      "@scope/server",
      "--flag",
    ]);
  });

  it("keeps quoted blanks and empty quoted words", () => {
    expect(splitCommandLine(`node "my server.js" '' --name 'a "b"'`)).toEqual([
      "node",
      "my server.js",
      "",
      "--name",
      'a "b"',
    ]);
  });

  it("honours backslash escapes outside and inside double quotes", () => {
    expect(splitCommandLine(String.raw`a\ b "c\"d\\e" 'f\g'`)).toEqual(["a b", 'c"d\\e', "f\\g"]);
  });

  it("refuses an unterminated quote", () => {
    expect(() => splitCommandLine(`node "x`)).toThrow(/unterminated " quote/);
  });
});
