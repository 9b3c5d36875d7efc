import { TranslateError } from "../translate-error.js";

/** Throws `invalid_options` with `message` (the CLI exits 2). */
export function invalid(message: string): never {
  throw new TranslateError("invalid_options", message);
}

/** `value` when it is an integer from `min` to `max`; `invalid_options` otherwise. */
export function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    invalid(`${name} must be an integer from ${min} to ${max} (got ${value})`);
  }
  return value;
}

/** `value` when it is a finite number >= 0; `invalid_options` otherwise. */
export function atLeastZero(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) invalid(`${name} must be a number >= 0 (got ${value})`);
  return value;
}
