import { z } from "zod";
import type { PromptsTable } from "../../db/database-schema.js";
import { fromJson, toBoolean } from "../../db/row-values.js";
import {
  descriptionField,
  nameField,
  ownershipFields,
  tagsField,
  type Visibility,
} from "../shared/entity-fields.js";

/** One argument a prompt takes. */
export interface PromptArgument {
  readonly name: string;
  readonly description?: string | undefined;
  readonly required: boolean;
}

/** `POST /prompts` body (inside `{"prompt": ...}`), after validation. */
export interface PromptCreate {
  readonly name: string;
  readonly custom_name?: string | undefined;
  readonly display_name?: string | undefined;
  readonly description?: string | undefined;
  readonly template: string;
  readonly arguments: PromptArgument[];
  readonly tags: string[];
  readonly team_id?: string | null | undefined;
  readonly owner_email?: string | null | undefined;
  readonly visibility?: Visibility | undefined;
}

/** `PUT /prompts/{id}` body. */
export type PromptUpdate = Partial<PromptCreate>;

const argumentSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an identifier (letters, digits, _)"),
  description: z.string().max(8192).optional(),
  required: z.boolean().default(false),
});

const fields = {
  name: nameField,
  custom_name: nameField.optional(),
  display_name: z.string().trim().max(255).optional(),
  description: descriptionField.optional(),
  template: z.string().max(65_536, "must be at most 65536 characters"),
  arguments: z
    .array(argumentSchema)
    .max(100)
    .refine((args) => new Set(args.map((a) => a.name)).size === args.length, "argument names must be unique"),
  tags: tagsField,
  ...ownershipFields,
};

/** Validates a prompt create body (snake_case keys). */
export const promptCreateSchema: z.ZodType<PromptCreate> = z.strictObject({
  ...fields,
  arguments: fields.arguments.default([]),
  tags: fields.tags.default([]),
}) as unknown as z.ZodType<PromptCreate>;

/** Validates a prompt update body. */
export const promptUpdateSchema: z.ZodType<PromptUpdate> = z
  .strictObject(fields)
  .partial() as unknown as z.ZodType<PromptUpdate>;

/** A prompt as the API returns it. */
export interface PromptRead {
  readonly id: string;
  readonly name: string;
  readonly originalName: string;
  readonly customName: string | null;
  readonly displayName: string | null;
  readonly gatewayId: string | null;
  readonly gatewaySlug: string | null;
  readonly description: string | null;
  readonly template: string;
  readonly arguments: PromptArgument[];
  readonly tags: string[];
  readonly enabled: boolean;
  readonly deletedUpstream: boolean;
  readonly teamId: string | null;
  readonly ownerEmail: string | null;
  readonly visibility: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly createdBy: string | null;
  readonly modifiedBy: string | null;
  readonly version: number;
  readonly metrics: null;
}

/** A stored prompt row as the API shows it. */
export function toPromptRead(row: PromptsTable, gatewaySlug: string | null): PromptRead {
  return {
    id: row.id,
    name: row.name,
    originalName: row.original_name,
    customName: row.custom_name,
    displayName: row.display_name,
    gatewayId: row.gateway_id,
    gatewaySlug,
    description: row.description,
    template: row.template,
    arguments: fromJson<PromptArgument[]>(row.arguments, []),
    tags: fromJson<string[]>(row.tags, []),
    enabled: toBoolean(row.enabled),
    deletedUpstream: toBoolean(row.deleted_upstream),
    teamId: row.team_id,
    ownerEmail: row.owner_email,
    visibility: row.visibility,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
    modifiedBy: row.modified_by,
    version: row.version,
    metrics: null,
  };
}
