import { describe, expect, it } from "vitest";
import { RequestIds } from "./request-id";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("request ids", () => {
  it("are version 4 UUIDs, distinct across many batches of random bytes", () => {
    const ids = new RequestIds();
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const id = ids.create();
      expect(id).toMatch(UUID_V4);
      seen.add(id);
    }
    expect(seen.size).toBe(5_000);
  });

  it("use every hexadecimal digit in every free position", () => {
    // A digit position that never changes would mean a byte left out of the id.
    const ids = new RequestIds();
    const digitsAt = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2_000; i++) [...ids.create()].forEach((ch, at) => digitsAt[at].add(ch));
    digitsAt.forEach((digits, at) => {
      if ([8, 13, 18, 23].includes(at)) expect([...digits]).toEqual(["-"]);
      else if (at === 14) expect([...digits]).toEqual(["4"]);
      else if (at === 19) expect([...digits].sort()).toEqual(["8", "9", "a", "b"]);
      else expect(digits.size).toBe(16);
    });
  });
});
