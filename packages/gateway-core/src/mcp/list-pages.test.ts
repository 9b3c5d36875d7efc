import { randomBytes } from "node:crypto";
import { ProtocolError } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { createListPager, type ListPage, type ListPager } from "./list-pages.js";

type Json = Record<string, unknown>;
const key = randomBytes(32);
const nameOf = (item: Json) => String(item.name);
const named = (...names: string[]): Json[] => names.map((name) => ({ name }));
const TEN = named("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");

function walk(pager: ListPager, items: readonly Json[]): { pages: ListPage[]; names: string[] } {
  const pages: ListPage[] = [];
  let cursor: string | undefined;
  do {
    const page = pager.page("tools", "", items, nameOf, cursor);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { pages, names: pages.flatMap((p) => p.items.map(nameOf)) };
}

function invalidParams(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(-32602);
    return (error as Error).message;
  }
  throw new Error("expected a -32602 error");
}

describe("createListPager", () => {
  it("cuts a list into pages of the configured size, the last one without nextCursor", () => {
    const { pages, names } = walk(createListPager({ key, pageSize: 3 }), TEN);
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 3, 1]);
    expect(names).toEqual(TEN.map(nameOf));
    expect(pages.at(-1)?.nextCursor).toBeUndefined();
    for (const page of pages.slice(0, -1)) expect(page.nextCursor).toMatch(/^[\w-]+\.[\w-]+$/);
  });

  it("answers a short list in one page with no cursor", () => {
    const page = createListPager({ key, pageSize: 100 }).page("tools", "", TEN, nameOf, undefined);
    expect(page).toEqual({ items: TEN });
  });

  it("serves a list that fits in one page as it is, without copying it", () => {
    const pager = createListPager({ key, pageSize: 1000 });
    expect(pager.page("tools", "", TEN, nameOf, undefined).items).toBe(TEN);
    expect(pager.page("tools", "", TEN, nameOf, "").items).toBe(TEN);
  });

  it('treats the empty cursor "" as the first page', () => {
    const pager = createListPager({ key, pageSize: 3 });
    expect(pager.page("tools", "", TEN, nameOf, "")).toEqual(pager.page("tools", "", TEN, nameOf, undefined));
  });

  it("refuses forged, tampered, foreign and oversized cursors with -32602", () => {
    const pager = createListPager({ key, pageSize: 3 });
    const next = pager.page("tools", "", TEN, nameOf, undefined).nextCursor ?? "";
    const [body, mac] = next.split(".") as [string, string];
    const forged = Buffer.from(JSON.stringify({ k: "tools", s: "", o: 9, d: "x", a: "y" })).toString(
      "base64url",
    );
    for (const cursor of [
      "abc",
      "x.y",
      `${forged}.${mac}`,
      `${body}.${mac.slice(0, -2)}AA`,
      `${body}x.${mac}`,
      `${next}.`,
      "a".repeat(10_000),
    ]) {
      expect(invalidParams(() => pager.page("tools", "", TEN, nameOf, cursor))).toMatch(/Invalid cursor/);
    }
    // Another list, another virtual server, another key.
    expect(invalidParams(() => pager.page("prompts", "", TEN, nameOf, next))).toMatch(/another list/);
    expect(invalidParams(() => pager.page("tools", "srv-1", TEN, nameOf, next))).toMatch(/another list/);
    const other = createListPager({ key: randomBytes(32), pageSize: 3 });
    invalidParams(() => other.page("tools", "", TEN, nameOf, next));
  });

  it("accepts a cursor minted by another pager with the same key (another replica)", () => {
    const next = createListPager({ key, pageSize: 3 }).page("tools", "", TEN, nameOf, undefined).nextCursor;
    const page = createListPager({ key: Buffer.from(key), pageSize: 3 }).page(
      "tools",
      "",
      [...TEN],
      nameOf,
      next,
    );
    expect(page.items.map(nameOf)).toEqual(["d", "e", "f"]);
  });

  it("resumes after the last item received when the list changed, if that item is still listed", () => {
    const pager = createListPager({ key, pageSize: 3 });
    const next = pager.page("tools", "", TEN, nameOf, undefined).nextCursor;
    // An item inserted before the position and one removed after it: no duplicate, no gap.
    const changed = named("a", "aa", "b", "c", "d", "f", "g", "h", "i", "j");
    expect(pager.page("tools", "", changed, nameOf, next).items.map(nameOf)).toEqual(["d", "f", "g"]);
  });

  it("refuses a cursor whose last item vanished from the changed list", () => {
    const pager = createListPager({ key, pageSize: 3 });
    const next = pager.page("tools", "", TEN, nameOf, undefined).nextCursor;
    const changed = named("a", "b", "d", "e", "f", "g", "h", "i", "j");
    expect(invalidParams(() => pager.page("tools", "", changed, nameOf, next))).toMatch(/list changed/);
  });

  it("refuses a short key and a page size below 1 at construction", () => {
    expect(() => createListPager({ key: randomBytes(16), pageSize: 3 })).toThrow(/32 bytes/);
    expect(() => createListPager({ key, pageSize: 0 })).toThrow(/page size/);
  });
});
