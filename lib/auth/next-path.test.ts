import { describe, expect, it } from "vitest";
import { safeNext } from "./next-path";

describe("where signing in or up comes back to", () => {
  it("keeps a path on this site, query included", () => {
    expect(safeNext("/apis/acme/weather?dialog=create-contract")).toBe("/apis/acme/weather?dialog=create-contract");
  });

  it.each(["//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n//evil.example", "https://evil.example", "evil.example", "", "/apis\u0000"])(
    "sends %j to the catalog instead",
    (value) => {
      expect(safeNext(value)).toBe("/apis");
    },
  );

  it("sends anything that is not text to the catalog", () => {
    expect(safeNext(undefined)).toBe("/apis");
    expect(safeNext(["/apis/acme/weather"])).toBe("/apis");
  });
});
