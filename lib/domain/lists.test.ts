import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, OpenDatabase } from "@/db/client";
import { notifications } from "@/db/schema";
import { ascending, countUpTo, pagedList, pageWindow, wordsMatch } from "./lists";
import type { Actor } from "./permissions";
import { makeUser, openTestDb } from "./test-fixtures";

let open: OpenDatabase;
let db: Db;
let reader: Actor;
let tied: Actor;

const TEXTS = ["100% uptime", "1000 uptime", "snake_case", "snakeXcase", "back\\slash", "backslash", "Gold plan", "gold PLAN extra", "Silver plan"];

beforeAll(async () => {
  open = await openTestDb();
  db = open.db;
  reader = await makeUser(db, "portal");
  const other = await makeUser(db, "portal");
  // A second apart, so created order is the order of TEXTS.
  const start = Date.parse("2030-01-01T00:00:00Z");
  await db.insert(notifications).values(TEXTS.map((text, i) => ({ recipientId: reader.userId, kind: "test", text, createdAt: new Date(start + i * 1000) })));
  await db.insert(notifications).values({ recipientId: other.userId, kind: "test", text: "Gold plan of someone else" });
  // Seven notifications alike in all but their id: only the tie-breaker orders them.
  tied = await makeUser(db, "portal");
  await db.insert(notifications).values(Array.from({ length: 7 }, () => ({ recipientId: tied.userId, kind: "test", text: "Same", createdAt: new Date(start) })));
});
afterAll(() => open.close());

/** The reader's notifications as a list: search in the text, sorted by text or time. */
function readerList(options: { q?: string; page?: number; pageSize?: number; sort?: { id: "text" | "created"; desc: boolean }; totalCap?: number; recipient?: Actor }) {
  return pagedList({
    db,
    query: () => db.select({ id: notifications.id, text: notifications.text }).from(notifications).$dynamic(),
    where: eq(notifications.recipientId, (options.recipient ?? reader).userId),
    search: [notifications.text],
    q: options.q,
    sort: options.sort ?? { id: "created", desc: false },
    sortColumns: { text: [notifications.text], created: [notifications.createdAt] },
    orderBy: [ascending(notifications.id)],
    page: options.page,
    pageSize: options.pageSize,
    totalCap: options.totalCap,
  });
}

const texts = async (options: Parameters<typeof readerList>[0]) => (await readerList(options)).rows.map((row) => row.text);

describe("pagedList", () => {
  it("returns a page of rows, the total across pages, the page and the page count", async () => {
    const list = await readerList({ pageSize: 4, page: 2 });
    expect({ ...list, rows: list.rows.map((row) => ({ text: row.text })) }).toEqual({ rows: TEXTS.slice(4, 8).map((text) => ({ text })), total: TEXTS.length, page: 2, pageSize: 4, pageCount: 3 });
  });

  it("still gives the total for a page past the end, with no rows", async () => {
    expect(await readerList({ pageSize: 4, page: 50 })).toEqual({ rows: [], total: TEXTS.length, page: 50, pageSize: 4, pageCount: 3 });
    expect(await readerList({ pageSize: 4, page: -50 })).toMatchObject({ rows: [{ text: TEXTS[0] }, { text: TEXTS[1] }, { text: TEXTS[2] }, { text: TEXTS[3] }], page: 1 });
    expect(await readerList({ q: "nothing-matches", page: 3 })).toMatchObject({ rows: [], total: 0, pageCount: 1 });
  });

  it("sorts by the columns of the requested sort, in its direction", async () => {
    // Text order follows the database's collation; one direction is the other reversed.
    const ascending = await texts({ q: "plan", sort: { id: "text", desc: false } });
    expect(ascending).toHaveLength(3);
    expect(await texts({ q: "plan", sort: { id: "text", desc: true } })).toEqual([...ascending].reverse());
    expect(await texts({ sort: { id: "created", desc: true }, pageSize: 2 })).toEqual(["Silver plan", "gold PLAN extra"]);
  });

  it("finds every word, in any order and case", async () => {
    expect(await texts({ q: "PLAN gold" })).toEqual(["Gold plan", "gold PLAN extra"]);
    expect(await texts({ q: "  " })).toEqual(TEXTS);
  });

  it.each([
    ["%", "100%", ["100% uptime"]],
    ["_", "snake_case", ["snake_case"]],
    ["\\", "back\\slash", ["back\\slash"]],
    ["a lone %", "%", ["100% uptime"]],
    ["a lone _", "_", ["snake_case"]],
  ])("matches %s literally", async (_, q, expected) => {
    expect(await texts({ q })).toEqual(expected);
  });

  it("reads a hostile page size or page as a bounded one", async () => {
    expect(pageWindow({ page: Number.NaN, pageSize: Number.POSITIVE_INFINITY })).toEqual({ page: 1, pageSize: 20, limit: 20, offset: 0 });
    expect(pageWindow({ page: 0, pageSize: 0 })).toEqual({ page: 1, pageSize: 1, limit: 1, offset: 0 });
    expect(pageWindow({ page: -4, pageSize: 5 })).toEqual({ page: -4, pageSize: 5, limit: 5, offset: 15 });
    expect(pageWindow({ page: -1e30, pageSize: 1 }).page).toBe(-1_000_000);
    expect(pageWindow({ page: 2.9, pageSize: 10_000 }, { maxSize: 500 })).toEqual({ page: 2, pageSize: 500, limit: 500, offset: 500 });
    expect((await readerList({ page: Number.NaN, pageSize: -1 })).rows).toHaveLength(1);
  });
});

describe("pagedList at scale", () => {
  it("counts up to the cap, and one more stands for more than the cap", async () => {
    expect(await readerList({ totalCap: 4 })).toMatchObject({ total: 5, pageCount: 1 });
    expect((await readerList({ totalCap: TEXTS.length })).total).toBe(TEXTS.length);
    expect((await readerList({ totalCap: 4, q: "plan" })).total).toBe(3);
    expect(await countUpTo(db, db.select().from(notifications).where(eq(notifications.recipientId, reader.userId)).$dynamic(), 2)).toBe(3);
  });

  it("numbers the last page from the start when the total is exact", async () => {
    expect(await readerList({ pageSize: 4, page: -1 })).toMatchObject({ rows: [{ text: TEXTS[8] }], page: 3, pageCount: 3 });
    expect(await readerList({ pageSize: 4, page: -2 })).toMatchObject({ rows: TEXTS.slice(4, 8).map((text) => ({ text })), page: 2 });
  });

  it("reads pages from the end, in the list's order, when the total is capped", async () => {
    const fromEnd = async (page: number) => (await readerList({ pageSize: 4, page, totalCap: 3 })).rows.map((row) => row.text);
    expect(await fromEnd(-1)).toEqual(TEXTS.slice(5, 9));
    expect(await fromEnd(-2)).toEqual(TEXTS.slice(1, 5));
    expect(await fromEnd(-3)).toEqual(TEXTS.slice(0, 1));
    expect(await fromEnd(-4)).toEqual([]);
    expect((await readerList({ pageSize: 4, page: -1, totalCap: 3 })).page).toBe(-1);
    // Sorted the other way, the last page holds the first rows of the ascending order, still in the requested order.
    expect((await readerList({ pageSize: 2, page: -1, totalCap: 3, sort: { id: "created", desc: true } })).rows.map((row) => row.text)).toEqual([TEXTS[1], TEXTS[0]]);
  });

  it("walks next and previous from either end over every row once, ties included", async () => {
    const walk = async (pages: number[]) => (await Promise.all(pages.map((page) => readerList({ recipient: tied, pageSize: 3, page, totalCap: 2 })))).flatMap((list) => list.rows.map((row) => row.id));
    const forward = await walk([1, 2, 3]);
    const backward = await walk([-3, -2, -1]);
    expect(forward).toHaveLength(7);
    expect(new Set(forward).size).toBe(7);
    expect(backward).toEqual(forward);
    expect(await walk([1])).toEqual(forward.slice(0, 3));
  });
});

describe("wordsMatch", () => {
  it("is no condition without words", () => {
    expect(wordsMatch([notifications.text], "")).toBeUndefined();
    expect(wordsMatch([notifications.text], "\u0000 \t")).toBeUndefined();
  });

  it("matches across columns: each word in one of them", async () => {
    const rows = await db
      .select({ text: notifications.text })
      .from(notifications)
      .where(wordsMatch([notifications.text, notifications.kind], "test silver"))
      .orderBy(desc(notifications.id));
    expect(rows.map((r) => r.text)).toEqual(["Silver plan"]);
  });
});
