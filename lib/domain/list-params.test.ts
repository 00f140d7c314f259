import { describe, expect, it } from "vitest";
import { formatSort, formatTotal, isCappedTotal, listParamsSchema, MAX_PAGE, oneOf, pageCountOf, pageFromStart, parseSort, TOTAL_CAP } from "./list-params";

const STATUSES = ["Active", "Broken"] as const;
const contracts = listParamsSchema({
  prefix: "contracts-",
  sortable: ["client", "created"] as const,
  defaultSort: { id: "created", desc: true },
  filters: { status: oneOf(STATUSES), plan: oneOf(["p1", "p2"]) },
});
const plain = listParamsSchema({ sortable: ["name"] as const, defaultSort: { id: "name", desc: false } });
const DEFAULTS = { q: "", sort: { id: "name", desc: false }, page: 1 };

describe("listParamsSchema", () => {
  it("reads q, sort, page and the declared filters under the list's prefix", () => {
    const params = contracts.parse({ "contracts-q": "  weather  ", "contracts-sort": "client.asc", "contracts-page": "3", "contracts-status": "Broken", "contracts-plan": "p2", q: "other" });
    expect(params).toEqual({ q: "weather", sort: { id: "client", desc: false }, page: 3, status: "Broken", plan: "p2" });
  });

  it("reads URLSearchParams the same way as a search-params record", () => {
    const query = new URLSearchParams("contracts-q=gold&contracts-sort=created.asc&contracts-page=2&contracts-status=Active");
    expect(contracts.parse(query)).toEqual({ q: "gold", sort: { id: "created", desc: false }, page: 2, status: "Active", plan: undefined });
  });

  it("gives the defaults when nothing is asked for", () => {
    expect(plain.parse({})).toEqual(DEFAULTS);
    expect(contracts.parse(new URLSearchParams())).toEqual({ q: "", sort: { id: "created", desc: true }, page: 1, status: undefined, plan: undefined });
  });

  it("takes the first of repeated params", () => {
    expect(plain.parse({ q: ["first", "second"], sort: ["name.desc", "name.asc"], page: ["2", "9"] })).toEqual({ q: "first", sort: { id: "name", desc: true }, page: 2 });
    expect(plain.parse(new URLSearchParams("page=4&page=7")).page).toBe(4);
  });

  it.each([
    ["a NUL byte", "wea\u0000ther", "wea ther"],
    ["a decoded %00", decodeURIComponent("gold%00"), "gold"],
    ["a literal %00", "gold%00", "gold%00"],
    ["a lone surrogate", "gold\ud800", "gold"],
    ["a tab and a bell", "\tgold\u0007", "gold"],
    ["text past the limit", "x".repeat(500), "x".repeat(200)],
  ])("keeps the filter text storable: %s", (_, q, expected) => {
    expect(plain.parse({ q }).q).toBe(expected);
  });

  it.each([
    ["from the end", "-3", -3],
    ["far from the end", "-99999999999999999999999", -MAX_PAGE],
    ["zero", "0", 1],
    ["not a number", "NaN", 1],
    ["Infinity", "Infinity", 1],
    ["empty", "", 1],
    ["a NUL byte", "\u00002", 1],
    ["huge", "99999999999999999999999", MAX_PAGE],
    ["an exponent", "1e400", 1],
    ["past the cap", String(MAX_PAGE + 1), MAX_PAGE],
    ["a fraction", "2.7", 2],
  ])("reads a %s page as a whole page from 1 to MAX_PAGE, or from the end when negative", (_, page, expected) => {
    expect(plain.parse({ page }).page).toBe(expected);
  });

  it.each([
    ["an unknown column", "password.asc"],
    ["no direction", "name"],
    ["another direction", "name.up"],
    ["SQL", "name.asc; drop table users"],
    ["a NUL byte", "name\u0000.asc"],
    ["empty", ""],
  ])("falls back to the default sort for %s", (_, sort) => {
    expect(plain.parse({ sort }).sort).toEqual({ id: "name", desc: false });
  });

  it("has no sort when there is no default and the sort is refused", () => {
    expect(listParamsSchema({ sortable: ["name"] }).parse({ sort: "email.asc" }).sort).toBeUndefined();
  });

  it("accepts any well-formed column without a sortable list (the browser's reading)", () => {
    expect(listParamsSchema().parse({ sort: "anything.desc" }).sort).toEqual({ id: "anything", desc: true });
  });

  it.each([
    ["an unknown value", "Deleted"],
    ["another case", "active"],
    ["a NUL byte", "Active\u0000"],
    ["empty", ""],
  ])("reads %s of a filter as no filter", (_, status) => {
    expect(contracts.parse({ "contracts-status": status }).status).toBeUndefined();
  });

  it("never throws, whatever it is given", () => {
    for (const source of [undefined, null, 42, "q=x", [], { q: 42, sort: { id: "name" }, page: ["x"] }, { q: [undefined], page: [] }, Object.create(null)]) {
      expect(plain.parse(source)).toEqual(DEFAULTS);
    }
    expect(contracts.parse({ "contracts-status": ["Active", "Broken"], "contracts-plan": { p: 1 } })).toMatchObject({ status: "Active", plan: undefined });
  });
});

describe("sort and page helpers", () => {
  it("formats a sort the way it parses", () => {
    expect(formatSort(parseSort("client.desc"))).toBe("client.desc");
    expect(formatSort(undefined)).toBeUndefined();
  });

  it("counts at least one page", () => {
    expect([pageCountOf(0, 20), pageCountOf(20, 20), pageCountOf(21, 20)]).toEqual([1, 1, 2]);
  });

  it("says a total past the cap as the cap and a plus", () => {
    expect(formatTotal(TOTAL_CAP)).toBe("10,000");
    expect(formatTotal(TOTAL_CAP + 1)).toBe("10,000+");
    expect(formatTotal(4, 3)).toBe("3+");
    expect([isCappedTotal(TOTAL_CAP), isCappedTotal(TOTAL_CAP + 1)]).toEqual([false, true]);
  });

  it("numbers a page counted from the end from the start when the total is exact", () => {
    expect(pageFromStart(3, 95, 20)).toBe(3);
    expect(pageFromStart(-1, 95, 20)).toBe(5);
    expect(pageFromStart(-2, 95, 20)).toBe(4);
    expect(pageFromStart(-9, 95, 20)).toBe(1);
    expect(pageFromStart(-1, 0, 20)).toBe(1);
    expect(pageFromStart(-1, TOTAL_CAP + 1, 20)).toBeUndefined();
    expect(pageFromStart(-1, 11, 5, 10)).toBeUndefined();
  });
});
