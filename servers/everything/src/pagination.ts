import { type McpServer, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";

/** The page size used when none is configured: small, so gateways meet a cursor early. */
export const DEFAULT_PAGE_SIZE = 10;

/** The list methods that are paginated, and the result key holding each one's items. */
const LIST_KEYS: Readonly<Record<string, string>> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resourceTemplates",
};

const CURSOR_PREFIX = "offset:";

function encodeCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${offset}`).toString("base64url");
}

/** Reads an opaque cursor; an empty or absent cursor is the first page (2026-07-28 allows `""`). */
function decodeCursor(cursor: unknown): number {
  if (cursor === undefined || cursor === "") return 0;
  const decoded = typeof cursor === "string" ? Buffer.from(cursor, "base64url").toString() : "";
  const offset = decoded.startsWith(CURSOR_PREFIX) ? Number(decoded.slice(CURSOR_PREFIX.length)) : Number.NaN;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, "Invalid cursor");
  }
  return offset;
}

type ListHandler = (request: { params?: { cursor?: unknown } }, ctx: unknown) => unknown;

function paginate(key: string, pageSize: number, handler: ListHandler): ListHandler {
  return async (request, ctx) => {
    const offset = decodeCursor(request.params?.cursor);
    const full = (await handler(request, ctx)) as Record<string, unknown>;
    const items = Array.isArray(full[key]) ? (full[key] as unknown[]) : [];
    const { nextCursor: _ignored, ...rest } = full;
    const end = offset + pageSize;
    const page = { ...rest, [key]: items.slice(offset, end) };
    return end < items.length ? { ...page, nextCursor: encodeCursor(end) } : page;
  };
}

/**
 * Makes `server` answer its list methods one page at a time.
 *
 * `McpServer` lists everything in one result and offers no paging hook, so this wraps the list
 * handlers it installs: call it right after construction, before anything is registered (the
 * handlers are installed lazily by the first `registerTool`/`registerResource`/`registerPrompt`).
 * Cursors are opaque offsets; a malformed one is answered with `-32602`.
 */
export function installPagination(server: McpServer, pageSize: number): void {
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`page size must be a positive integer, got ${pageSize}`);
  }
  const low = server.server;
  const setRequestHandler = low.setRequestHandler.bind(low) as (...args: unknown[]) => void;
  const patched = (method: string, ...rest: unknown[]): void => {
    const key = LIST_KEYS[method];
    const [handler] = rest;
    if (key !== undefined && rest.length === 1 && typeof handler === "function") {
      setRequestHandler(method, paginate(key, pageSize, handler as ListHandler));
      return;
    }
    setRequestHandler(method, ...rest);
  };
  low.setRequestHandler = patched as typeof low.setRequestHandler;
}
