/** Machine-readable error codes of the gateway, mapped to HTTP once, at the edge. */
export type GatewayErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "bad_gateway"
  | "validation_failed"
  | "internal";

const STATUS_BY_CODE: Record<GatewayErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  bad_gateway: 502,
  validation_failed: 422,
  internal: 500,
};

/** One invalid input field, FastAPI-style: where it is, what is wrong, and the rule's kind. */
export interface ValidationIssue {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
}

/** An error the gateway raises on purpose; its message is safe to show to the caller. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  /** For `validation_failed`: every invalid field. */
  readonly issues: readonly ValidationIssue[] | undefined;

  constructor(
    code: GatewayErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: readonly ValidationIssue[] },
  ) {
    super(message, options);
    this.name = "GatewayError";
    this.code = code;
    this.issues = options?.issues;
  }

  /** The HTTP status this error maps to. */
  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}

/** A 422 listing each invalid field. */
export function validationError(issues: readonly ValidationIssue[]): GatewayError {
  const summary = issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; ");
  return new GatewayError("validation_failed", `validation failed: ${summary}`, { issues });
}
