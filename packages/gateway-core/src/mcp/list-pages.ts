import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { ProtocolError } from "@modelcontextprotocol/server";

type Json = Record<string, unknown>;

/** The four paginated MCP lists. */
export type ListKind = "tools" | "resources" | "resourceTemplates" | "prompts";

/** One page of an MCP list; `nextCursor` is absent on the last page. */
export interface ListPage {
  readonly items: readonly Json[];
  readonly nextCursor?: string;
  /** `_meta` of the list result (the gateway's federation id). */
  readonly meta?: Json;
}

/** Options of {@link createListPager}. */
export interface ListPagerOptions {
  /** HMAC key of the cursors (at least 32 bytes); replicas sharing it accept each other's cursors. */
  readonly key: Uint8Array;
  /** Items per page, the same for every list (`MCP_PAGE_SIZE`). */
  readonly pageSize: number;
}

/** Cuts MCP lists into pages and mints and checks the cursors between them. */
export interface ListPager {
  /**
   * The page of `items` that `cursor` points to (`undefined` or `""`: the first page). Throws a
   * -32602 ProtocolError for a cursor this gateway did not mint, one of another list or virtual
   * server, or one whose position vanished from a changed list.
   */
  page(
    kind: ListKind,
    scope: string,
    items: readonly Json[],
    keyOf: (item: Json) => string,
    cursor: string | undefined,
  ): ListPage;
}

/** What a cursor carries (short keys: it travels with every page request). */
interface CursorPayload {
  /** List kind and virtual server scope: a cursor is valid for one list only. */
  readonly k: ListKind;
  readonly s: string;
  /** Offset of the next page's first item. */
  readonly o: number;
  /** Digest of the list's keys when the cursor was minted. */
  readonly d: string;
  /** Hash of the key of the last item the client received. */
  readonly a: string;
}

// Ours are ~150 characters; anything far longer is refused before any work is done on it.
const MAX_CURSOR_LENGTH = 512;
const MAC_BYTES = 16;

const hashOf = (text: string, bytes: number): string =>
  createHash("sha256").update(text).digest().subarray(0, bytes).toString("base64url");

function invalidCursor(reason: string): ProtocolError {
  return new ProtocolError(-32602, `Invalid cursor: ${reason}`);
}

/**
 * Creates the pager. A cursor is `<payload>.<mac>`, the payload base64url JSON, the MAC an HMAC
 * over it: opaque to clients, unforgeable, and stateless, so any replica with the same key
 * serves the next page. It names the offset and a digest of the list's keys. When the list
 * changed between pages (another digest), the walk resumes right after the last item the client
 * received if that item is still listed, and is refused with -32602 otherwise: restarting at
 * the top would hand the client duplicates it cannot recognise, and the gateway's
 * `list_changed` notification already tells it to list again.
 */
export function createListPager({ key, pageSize }: ListPagerOptions): ListPager {
  if (key.byteLength < 32) throw new Error("the list cursor key must have at least 32 bytes");
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new Error("the page size must be at least 1");
  const digests = new WeakMap<readonly Json[], string>();
  const mac = (payload: string): Buffer =>
    createHmac("sha256", key).update(payload).digest().subarray(0, MAC_BYTES);

  const digestOf = (items: readonly Json[], keyOf: (item: Json) => string): string => {
    let digest = digests.get(items);
    if (digest === undefined) {
      digest = hashOf(JSON.stringify(items.map(keyOf)), 12);
      digests.set(items, digest);
    }
    return digest;
  };

  const mint = (payload: CursorPayload): string => {
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${body}.${mac(body).toString("base64url")}`;
  };

  const open = (cursor: string): CursorPayload => {
    const dot = cursor.indexOf(".");
    if (cursor.length > MAX_CURSOR_LENGTH || dot < 1) throw invalidCursor("not issued by this gateway");
    const body = cursor.slice(0, dot);
    // Compared as text: Node's base64 decoder skips stray characters, which would let many
    // spellings of one cursor through.
    const given = Buffer.from(cursor.slice(dot + 1));
    const expected = Buffer.from(mac(body).toString("base64url"));
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw invalidCursor("not issued by this gateway");
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as CursorPayload;
  };

  const startOf = (
    payload: CursorPayload,
    items: readonly Json[],
    keyOf: (item: Json) => string,
    digest: string,
  ): number => {
    if (payload.d === digest) return Math.min(payload.o, items.length);
    const last = items.findIndex((item) => hashOf(keyOf(item), 9) === payload.a);
    if (last === -1) throw invalidCursor("the list changed since this cursor was issued; list again");
    return last + 1;
  };

  return {
    page(kind, scope, items, keyOf, cursor) {
      const digest = digestOf(items, keyOf);
      let start = 0;
      // The 2026 spec makes "" a valid cursor value. The gateway never mints it, and it names no
      // position: it means the start, which also serves clients that begin their walk with "".
      if (cursor !== undefined && cursor !== "") {
        const payload = open(cursor);
        if (payload.k !== kind || payload.s !== scope) throw invalidCursor("issued for another list");
        start = startOf(payload, items, keyOf, digest);
      }
      const end = Math.min(items.length, start + pageSize);
      // A list that fits in one page (the common case with the default size) is served as it is
      // cached: no copy of its items per request.
      const page = start === 0 && end === items.length ? items : items.slice(start, end);
      const last = page.at(-1);
      if (end >= items.length || last === undefined) return { items: page };
      return {
        items: page,
        nextCursor: mint({ k: kind, s: scope, o: end, d: digest, a: hashOf(keyOf(last), 9) }),
      };
    },
  };
}
