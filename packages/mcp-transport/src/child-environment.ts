/** Parent variables a stdio server inherits by default: enough to find executables and a locale. */
export const DEFAULT_INHERITED_ENV: readonly string[] = ["PATH", "HOME", "LANG"];

/**
 * The whole environment of a stdio server: the named variables of the parent (when set) and
 * then the server's own `env`. Nothing else of the parent, so its secrets never reach a server.
 */
export function buildChildEnvironment(
  env: Readonly<Record<string, string>> | undefined,
  inherit: readonly string[] = DEFAULT_INHERITED_ENV,
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of inherit) {
    const value = parent[name];
    if (value !== undefined) result[name] = value;
  }
  return { ...result, ...env };
}
