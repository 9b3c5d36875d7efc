import { GatewayError } from "../errors/gateway-error.js";

/** Where the next page starts: after the row with this creation time and id. */
export interface CursorPosition {
  readonly createdAt: string;
  readonly id: string;
}

/** An opaque cursor for a position (base64url JSON; clients must not build their own). */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), "utf8").toString("base64url");
}

/** Reads a cursor from a client; a malformed one is a 400, never a 500. */
export function decodeCursor(cursor: string): CursorPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === "string")) {
      return { createdAt: value[0] as string, id: value[1] as string };
    }
  } catch {
    // fall through
  }
  throw new GatewayError("bad_request", "invalid cursor");
}
