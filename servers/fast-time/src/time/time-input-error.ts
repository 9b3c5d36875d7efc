/** Why a time request cannot be answered. */
export type TimeInputErrorCode = "INVALID_TIMEZONE" | "INVALID_TIME";

/** A caller supplied a timezone or time the server cannot use; the message is safe to show them. */
export class TimeInputError extends Error {
  readonly code: TimeInputErrorCode;

  constructor(code: TimeInputErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TimeInputError";
    this.code = code;
  }
}
