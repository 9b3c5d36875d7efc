import { z } from "zod";
import type { ResourcesTable } from "../../db/database-schema.js";
import { fromJson, toBoolean } from "../../db/row-values.js";
import {
  descriptionField,
  nameField,
  ownershipFields,
  tagsField,
  type Visibility,
} from "../shared/entity-fields.js";

/** Largest text content a resource defined in the gateway may hold. */
export const MAX_RESOURCE_CONTENT_BYTES = 1_048_576;

/** `POST /resources` body (inside `{"resource": ...}`), after validation. */
export interface ResourceCreate {
  readonly uri: string;
  readonly name: string;
  readonly description?: string | undefined;
  readonly mime_type?: string | undefined;
  readonly uri_template?: string | undefined;
  readonly content: string;
  readonly tags: string[];
  readonly team_id?: string | null | undefined;
  readonly owner_email?: string | null | undefined;
  readonly visibility?: Visibility | undefined;
}

/** `PUT /resources/{id}` body. */
export type ResourceUpdate = Partial<ResourceCreate>;

const fields = {
  uri: z
    .string()
    .trim()
    .min(1)
    .max(767, "must be at most 767 characters")
    .regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S*$/, "must be a URI with a scheme, e.g. file:///notes.txt"),
  name: nameField,
  description: descriptionField.optional(),
  mime_type: z
    .string()
    .max(255)
    .regex(/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/, "must be a MIME type like text/plain")
    .optional(),
  uri_template: z.string().max(767).optional(),
  content: z
    .string()
    .refine((text) => Buffer.byteLength(text, "utf8") <= MAX_RESOURCE_CONTENT_BYTES, "must be at most 1 MiB"),
  tags: tagsField,
  ...ownershipFields,
};

/** Validates a resource create body. */
export const resourceCreateSchema: z.ZodType<ResourceCreate> = z.strictObject({
  ...fields,
  tags: fields.tags.default([]),
}) as unknown as z.ZodType<ResourceCreate>;

/** Validates a resource update body. */
export const resourceUpdateSchema: z.ZodType<ResourceUpdate> = z
  .strictObject(fields)
  .partial() as unknown as z.ZodType<ResourceUpdate>;

/** A resource as the API returns it (metadata; content is read separately). */
export interface ResourceRead {
  readonly id: string;
  readonly uri: string;
  readonly name: string;
  readonly description: string | null;
  readonly mimeType: string | null;
  readonly uriTemplate: string | null;
  readonly size: number | null;
  readonly gatewayId: string | null;
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

/** A stored resource row as the API shows it. */
export function toResourceRead(row: ResourcesTable): ResourceRead {
  return {
    id: row.id,
    uri: row.uri,
    name: row.name,
    description: row.description,
    mimeType: row.mime_type,
    uriTemplate: row.uri_template,
    size: row.size,
    gatewayId: row.gateway_id,
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
