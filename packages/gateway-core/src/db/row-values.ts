import { randomUUID } from "node:crypto";
import type { DbBoolean } from "./database-schema.js";

/** A new entity id: 32 lowercase hex characters, like ContextForge's `uuid4().hex`. */
export function newId(): string {
  return randomUUID().replaceAll("-", "");
}

/** Now, as stored: ISO-8601 UTC with milliseconds (sorts as text on every engine). */
export function nowIso(): string {
  return new Date().toISOString();
}

/** A boolean column as stored by any engine (true/false or 1/0). */
export function toBoolean(value: DbBoolean): boolean {
  return value === true || value === 1;
}

/** A JSON text column; `fallback` when it is null. */
export function fromJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === "") return fallback;
  return JSON.parse(text) as T;
}

/** A value as a JSON text column (null stays null). */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
