/** Machine-readable error codes of the gateway, mapped to HTTP once, at the edge. */
export type GatewayErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "validation_failed"
  | "internal";

const STATUS_BY_CODE: Record<GatewayErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  validation_failed: 422,
  internal: 500,
};

/** An error the gateway raises on purpose; its message is safe to show to the caller. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GatewayError";
    this.code = code;
  }

  /** The HTTP status this error maps to. */
  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}
