import { readFileSync } from "node:fs";

let cached: string | undefined;

/** This package's version, read from its package.json at run time so it never drifts. */
export function packageVersion(): string {
  // From both src/ (tests) and dist/ (the bin), the manifest is one directory up.
  cached ??= (
    JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
  return cached;
}
