import { UpstreamError } from "./upstream-error.js";

/** One page of a paginated MCP list result. */
export interface ListPage<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string | null | undefined;
  /** The page's `_meta`, as the server sent it. */
  readonly meta?: Readonly<Record<string, unknown>> | undefined;
}

/** Options for {@link listAllPages}. */
export interface ListAllPagesOptions {
  /** The list method, for error messages (`tools/list`). */
  readonly method: string;
  /** The redacted upstream URL, for error messages. */
  readonly url: string;
  /** Pages fetched at most before giving up with a `protocol` error. */
  readonly maxPages: number;
  /**
   * Whether `""` ends the listing. In 2026-07-28 `""` is a valid cursor; 2025-era servers that send
   * `nextCursor: ""` mean "no more pages".
   */
  readonly emptyCursorEnds: boolean;
}

/**
 * Fetches every page of a cursor-paginated list, following `nextCursor`. A cursor that comes back
 * a second time, or more than `maxPages` pages, is an upstream bug that would loop forever: both
 * throw an {@link UpstreamError} with code `protocol`.
 */
export async function listAllPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<ListPage<T>>,
  options: ListAllPagesOptions,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 1; ; page++) {
    const result = await fetchPage(cursor);
    items.push(...result.items);
    const next = result.nextCursor;
    if (next === undefined || next === null || (next === "" && options.emptyCursorEnds)) return items;
    if (seen.has(next)) {
      throw new UpstreamError(
        "protocol",
        options.url,
        `upstream ${options.url} repeated a ${options.method} cursor after ${page} pages (pagination loop)`,
      );
    }
    if (page >= options.maxPages) {
      throw new UpstreamError(
        "protocol",
        options.url,
        `upstream ${options.url} returned more than ${options.maxPages} pages of ${options.method}`,
      );
    }
    seen.add(next);
    cursor = next;
  }
}
