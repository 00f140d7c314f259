import { describe, expect, it } from "vitest";
import { TOTAL_CAP } from "@/lib/domain/list-params";
import { encodeCursor, listQuery, paged } from "./schemas";

const url = new URL("https://portico.test/api/v1/contracts?limit=2");

describe("paged", () => {
  it("gives the next page's cursor and Link until the last page of an exact total", () => {
    const first = paged(url, { page: 1, pageSize: 2 }, ["a", "b"], 5);
    expect(first.body).toEqual({ data: ["a", "b"], next: encodeCursor(2) });
    expect(first.init.headers?.link).toContain(`cursor=${encodeCursor(2)}`);
    expect(paged(url, { page: 3, pageSize: 2 }, ["e"], 5).body.next).toBeNull();
  });

  it("past the cap, has a next page after a full page and none after a short one", () => {
    expect(paged(url, { page: 7000, pageSize: 2 }, ["x", "y"], TOTAL_CAP + 1).body.next).toBe(encodeCursor(7001));
    expect(paged(url, { page: 7001, pageSize: 2 }, ["z"], TOTAL_CAP + 1).body.next).toBeNull();
    expect(paged(url, { page: 7002, pageSize: 2 }, [], TOTAL_CAP + 1).body.next).toBeNull();
  });

  it("reads a cursor back as the page it names", () => {
    const schema = listQuery({});
    expect(schema.parse({ cursor: encodeCursor(7001), limit: "2" })).toMatchObject({ page: 7001, pageSize: 2 });
  });
});
