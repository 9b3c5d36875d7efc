import { z } from "zod";
import type { ServersTable } from "../../db/database-schema.js";
import { fromJson, toBoolean } from "../../db/row-values.js";
import {
  descriptionField,
  nameField,
  ownershipFields,
  tagsField,
  type Visibility,
} from "../shared/entity-fields.js";

/** The items a virtual server exposes, by id. */
export interface ServerAssociations {
  readonly tools: readonly string[];
  readonly resources: readonly string[];
  readonly prompts: readonly string[];
  readonly a2aAgents: readonly string[];
}

/** `POST /servers` body (inside `{"server": ...}`), after validation. */
export interface ServerCreate {
  readonly id?: string | undefined;
  readonly name: string;
  readonly description?: string | undefined;
  readonly icon?: string | undefined;
  readonly tags: string[];
  readonly associated_tools: string[];
  readonly associated_resources: string[];
  readonly associated_prompts: string[];
  readonly associated_a2a_agents: string[];
  /** Expose tools and prompts under their upstream names, without the gateway prefix. */
  readonly expose_original_names?: boolean | undefined;
  readonly team_id?: string | null | undefined;
  readonly owner_email?: string | null | undefined;
  readonly visibility?: Visibility | undefined;
}

/** `PUT /servers/{id}` body. */
export type ServerUpdate = Partial<Omit<ServerCreate, "id">>;

// ContextForge also accepts a comma-separated string of ids.
const idList = z.preprocess(
  (value) =>
    typeof value === "string"
      ? value
          .split(",")
          .map((id) => id.trim())
          .filter((id) => id.length > 0)
      : value,
  z
    .array(z.string().min(1).max(64))
    .max(10_000)
    .transform((ids) => [...new Set(ids)]),
);

const fields = {
  name: nameField,
  description: descriptionField.optional(),
  icon: z
    .string()
    .max(2048)
    .refine((v) => v === "" || /^(https?:\/\/|data:image\/)/.test(v), "must be an http(s) or data:image URL")
    .optional(),
  tags: tagsField,
  associated_tools: idList,
  associated_resources: idList,
  associated_prompts: idList,
  associated_a2a_agents: idList,
  expose_original_names: z.boolean().optional(),
  ...ownershipFields,
};

/** Validates a server create body. */
export const serverCreateSchema: z.ZodType<ServerCreate> = z.strictObject({
  ...fields,
  id: z
    .string()
    .regex(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i, "must be a UUID")
    .transform((id) => id.replaceAll("-", "").toLowerCase())
    .optional(),
  tags: fields.tags.default([]),
  associated_tools: fields.associated_tools.default([]),
  associated_resources: fields.associated_resources.default([]),
  associated_prompts: fields.associated_prompts.default([]),
  associated_a2a_agents: fields.associated_a2a_agents.default([]),
}) as unknown as z.ZodType<ServerCreate>;

/** Validates a server update body. */
export const serverUpdateSchema: z.ZodType<ServerUpdate> = z
  .strictObject(fields)
  .partial() as unknown as z.ZodType<ServerUpdate>;

/** A virtual server as the API returns it. */
export interface ServerRead {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly icon: string | null;
  readonly associatedTools: readonly string[];
  readonly associatedResources: readonly string[];
  readonly associatedPrompts: readonly string[];
  readonly associatedA2aAgents: readonly string[];
  readonly exposeOriginalNames: boolean;
  readonly tags: string[];
  readonly enabled: boolean;
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

/** A stored server row and its associations as the API shows them. */
export function toServerRead(row: ServersTable, links: ServerAssociations): ServerRead {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    icon: row.icon,
    associatedTools: links.tools,
    associatedResources: links.resources,
    associatedPrompts: links.prompts,
    associatedA2aAgents: links.a2aAgents,
    exposeOriginalNames: toBoolean(row.expose_original_names),
    tags: fromJson<string[]>(row.tags, []),
    enabled: toBoolean(row.enabled),
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
