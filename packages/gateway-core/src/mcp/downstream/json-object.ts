/** A JSON object (what `JSON.parse` gives for `{...}`). */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a JSON object: not null, not an array. */
export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Whether `value` is a JSON-RPC id (or progress token) as the MCP schema types it: a string or an integer. */
export const isRequestId = (value: unknown): value is string | number =>
  typeof value === "string" || (typeof value === "number" && Number.isInteger(value));
