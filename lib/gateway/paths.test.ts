import { describe, expect, it } from "vitest";
import { joinUpstreamPath, pathRefusal } from "./paths";

describe("pathRefusal", () => {
  it("lets ordinary paths through untouched, dots inside names and percent-encoded text included", () => {
    for (const path of ["", "/", "/forecast", "/a/b/c/", "/a//b", "/file.json", "/.well-known/x", "/v1.2/a..b", "/caf%C3%A9", "/a%20b", "/100%25", "/x;v=1", "/a%2Eb", "/%3F%23", "/a%3b..b", "/~user/!$&'()*+,;=:@"]) {
      expect(pathRefusal(path), path).toBeUndefined();
    }
  });

  it("refuses dot segments however they are spelled", () => {
    const spellings = [".", "..", "%2e", "%2E", "%2e%2e", "%2E%2e", ".%2e", "%2e.", "..;", "..;jsessionid=1", ".;x", "...", "..%20", "%20..", "..%3B", "%e2%80%a5", "%ef%bc%8e%ef%bc%8e", "%ef%b9%92"];
    for (const segment of spellings) {
      for (const path of [`/${segment}`, `/a/${segment}/b`, `/a/${segment}/`]) expect(pathRefusal(path), path).toMatch(/dot segment|folds into/);
    }
  });

  it("refuses encoded separators, NUL and control characters", () => {
    for (const path of ["/..%2f", "/%2e%2e%2f", "/a%2fb", "/a%2Fb", "/a%5cb", "/a%5C..", "/a%00", "/a%0a", "/a%7f", "/%ef%bc%8f"]) expect(pathRefusal(path), path).toBeDefined();
  });

  it("refuses double, malformed and non-UTF-8 percent-encoding", () => {
    for (const path of ["/%252e", "/%252E%252e", "/%252f", "/%25%32%65", "/%252%65", "/%", "/a%2", "/a%zz", "/%c0%ae", "/%c0%ae%c0%ae", "/%e0%80%ae", "/%c1%9c", "/%ff", "/%ed%a0%80"]) {
      expect(pathRefusal(path), path).toBeDefined();
    }
  });

  it("refuses raw backslashes, fragments, spaces, controls and non-ASCII", () => {
    for (const path of ["/a\\..", "/\\", "/a#b", "/a b", "/a\u0000", "/a\t", "/é", "/a\u007f", "x", ".."]) expect(pathRefusal(path), JSON.stringify(path)).toBeDefined();
  });
});

describe("joinUpstreamPath", () => {
  it("puts the rest after the endpoint's path, and sends / for an empty root", () => {
    expect(joinUpstreamPath("/base/v1", "/x")).toBe("/base/v1/x");
    expect(joinUpstreamPath("/base/v1", "")).toBe("/base/v1");
    expect(joinUpstreamPath("", "")).toBe("/");
    expect(joinUpstreamPath("", "/x")).toBe("/x");
  });
});
