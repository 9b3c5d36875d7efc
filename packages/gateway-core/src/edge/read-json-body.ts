import type { Context } from "hono";
import { z } from "zod";
import { GatewayError } from "../errors/gateway-error.js";
import { snakeCaseKeys } from "./input-keys.js";
import { parseWith } from "./zod-issues.js";

/** The request's JSON body: 415 for another content type, 400 for malformed JSON. */
export async function readJsonBody(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new GatewayError("unsupported_media_type", "Content-Type must be application/json");
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError("bad_request", "request body is not valid JSON");
  }
}

/** What ContextForge accepts beside the wrapped object of a create body. */
export interface WrapperExtras {
  readonly team_id?: string | null | undefined;
  readonly visibility?: "private" | "team" | "public" | null | undefined;
}

const extrasSchema = z.strictObject({
  team_id: z.string().max(36).nullable().optional(),
  visibility: z.enum(["private", "team", "public"]).nullable().optional(),
});

/**
 * The object under `key` in a wrapped create body (`{"tool": {...}, "team_id": ...}`); any other
 * member beside it is rejected like an unknown field.
 */
export function unwrapBody(body: unknown, key: string): { entity: unknown; extras: WrapperExtras } {
  if (body === null || typeof body !== "object" || Array.isArray(body) || !(key in body)) {
    throw new GatewayError("validation_failed", `request body must be an object with a "${key}" member`, {
      issues: [{ loc: ["body", key], msg: "field required", type: "missing" }],
    });
  }
  const { [key]: entity, ...rest } = body as Record<string, unknown>;
  return { entity, extras: parseWith(extrasSchema, snakeCaseKeys(rest), ["body"]) };
}

/** `input` with the wrapper's team and visibility where the object itself gives none. */
export function withExtras<
  T extends { team_id?: string | null | undefined; visibility?: string | undefined },
>(input: T, extras: WrapperExtras): T {
  return {
    ...input,
    ...(input.team_id == null && extras.team_id != null ? { team_id: extras.team_id } : {}),
    ...(input.visibility === undefined && extras.visibility != null ? { visibility: extras.visibility } : {}),
  };
}
