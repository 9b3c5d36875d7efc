import type { ContentfulStatusCode } from "hono/utils/http-status";
import { GatewayError, type ValidationIssue } from "./gateway-error.js";

/** The JSON error body used on every REST route (ContextForge's shape plus a code). */
export interface HttpErrorBody {
  /** A sentence, or for validation errors the list of invalid fields (as FastAPI does). */
  readonly detail: string | readonly ValidationIssue[];
  readonly code: string;
}

/**
 * Maps any thrown value to a status and body. Unexpected errors become a generic 500 unless
 * `exposeDetails` is set, so internals never leak by accident.
 */
export function toHttpError(
  error: unknown,
  exposeDetails: boolean,
): { status: ContentfulStatusCode; body: HttpErrorBody } {
  if (error instanceof GatewayError) {
    return {
      status: error.status as ContentfulStatusCode,
      body: { detail: error.issues ?? error.message, code: error.code },
    };
  }
  const detail = exposeDetails && error instanceof Error ? error.message : "Internal server error";
  return { status: 500, body: { detail, code: "internal" } };
}
