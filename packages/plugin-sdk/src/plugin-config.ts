import { z } from "zod";
import { HOOK_NAMES, type HookName } from "./hooks.js";

/** How the gateway treats a plugin's violations and errors (ContextForge's modes). */
export type PluginMode = "enforce" | "enforce_ignore_error" | "permissive" | "disabled";

/** When a plugin applies; an empty or missing list means "any". */
export interface PluginConditions {
  readonly server_ids?: readonly string[] | undefined;
  readonly tenant_ids?: readonly string[] | undefined;
  readonly tools?: readonly string[] | undefined;
  readonly prompts?: readonly string[] | undefined;
  readonly resources?: readonly string[] | undefined;
}

/** One entry of the `plugins:` list in the gateway's plugin configuration file. */
export interface PluginConfig {
  readonly name: string;
  /** A built-in plugin name, a module specifier, or "external" for a plugin server. */
  readonly kind: string;
  readonly description?: string | undefined;
  readonly version?: string | undefined;
  readonly author?: string | undefined;
  readonly hooks: readonly HookName[];
  readonly tags: readonly string[];
  readonly mode: PluginMode;
  /** Lower runs first. */
  readonly priority: number;
  readonly conditions: readonly PluginConditions[];
  readonly config: Readonly<Record<string, unknown>>;
}

const names = z.array(z.string().min(1)).optional();

const schema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, "must start with a letter; letters, digits, _ and - only"),
    kind: z.string().min(1),
    description: z.string().optional(),
    version: z.string().optional(),
    author: z.string().optional(),
    hooks: z.array(z.enum(HOOK_NAMES)).min(1, "must list at least one hook"),
    tags: z.array(z.string()).default([]),
    mode: z.enum(["enforce", "enforce_ignore_error", "permissive", "disabled"]).default("enforce"),
    priority: z.number().int().min(0).default(100),
    conditions: z
      .array(
        z.strictObject({
          server_ids: names,
          tenant_ids: names,
          tools: names,
          prompts: names,
          resources: names,
        }),
      )
      .default([]),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** The zod schema of {@link PluginConfig}: unknown keys are rejected, defaults filled in. */
export const pluginConfigSchema: z.ZodType<PluginConfig> = schema;

/** Raised for an invalid plugin configuration; `problems` names each bad field by path. */
export class PluginConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid plugin configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "PluginConfigError";
    this.problems = problems;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : `${out}.${String(key)}`),
    "plugins",
  );
}

/** Validates a list of plugin entries (the parsed `plugins:` list); names must be unique. */
export function parsePluginConfigs(input: unknown): PluginConfig[] {
  const parsed = z.array(schema).safeParse(input);
  if (!parsed.success) {
    throw new PluginConfigError(
      parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    );
  }
  const seen = new Set<string>();
  const duplicates = parsed.data.filter((p) => {
    if (seen.has(p.name)) return true;
    seen.add(p.name);
    return false;
  });
  if (duplicates.length > 0) {
    throw new PluginConfigError(duplicates.map((p) => `plugins: duplicate name ${JSON.stringify(p.name)}`));
  }
  return parsed.data;
}
