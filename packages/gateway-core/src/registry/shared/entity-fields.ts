import { z } from "zod";

/** Who may see an entity. */
export type Visibility = "private" | "team" | "public";

/** The visibility values, for schemas. */
export const VISIBILITIES: readonly Visibility[] = ["private", "team", "public"];

/** Tags: trimmed, lower-case, unique, at most 50 of at most 64 characters each. */
export const tagsField: z.ZodType<string[]> = z
  .array(
    z
      .string()
      .trim()
      .toLowerCase()
      .min(1, "must not be empty")
      .max(64, "must be at most 64 characters")
      .regex(/^[a-z0-9][a-z0-9 _.:/-]*$/, "may contain letters, digits, spaces and _ . : / -"),
  )
  .max(50, "at most 50 tags")
  .transform((tags) => [...new Set(tags)]);

/** A display name (servers, gateways, resources, prompts): ContextForge's `validate_name`. */
export const nameField: z.ZodType<string> = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters")
  .regex(/^[A-Za-z0-9_.\-\s]+$/, "may contain letters, digits, spaces and _ . -");

/** Free text shown to users and models. */
export const descriptionField: z.ZodType<string> = z.string().max(8192, "must be at most 8192 characters");

/** An http(s) URL of at most 2048 characters. */
export const httpUrlField: z.ZodType<string> = z
  .string()
  .trim()
  .max(2048, "must be at most 2048 characters")
  .url("must be a URL")
  .refine((value) => /^https?:\/\//i.test(value), "must be an http:// or https:// URL");

/** Optional owner fields every create accepts. */
export const ownershipFields: {
  team_id: z.ZodOptional<z.ZodNullable<z.ZodString>>;
  owner_email: z.ZodOptional<z.ZodNullable<z.ZodString>>;
  visibility: z.ZodOptional<z.ZodEnum<{ private: "private"; team: "team"; public: "public" }>>;
} = {
  team_id: z.string().max(36).nullable().optional(),
  owner_email: z.string().max(255).nullable().optional(),
  visibility: z.enum(["private", "team", "public"]).optional(),
};

/** A JSON object (schemas, annotations): nesting limited so no document can exhaust the stack. */
export const jsonObjectField: z.ZodType<Record<string, unknown>> = z
  .record(z.string(), z.unknown())
  .refine((value) => depth(value) <= 30, "is nested more than 30 levels deep");

function depth(value: unknown, level = 0): number {
  if (level > 30 || value === null || typeof value !== "object") return level;
  let max = level;
  for (const child of Object.values(value)) max = Math.max(max, depth(child, level + 1));
  return max;
}
