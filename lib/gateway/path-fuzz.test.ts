import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RawResponse, openScene, rawRequest, type Scene } from "./test-support";

/**
 * Thousands of generated paths, sent byte for byte to a real gateway in front of a backend whose
 * endpoint has a base path: whatever the backend receives stays under that base path and holds no
 * dot segment in any decoding; everything else is refused with a problem, never a 5xx.
 * FUZZ_SEED=<n> replays a run.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_2024);
const REQUESTS = 3_000;
const PARALLEL = 8;
const BASE_PATH = "/base/v1";

/** mulberry32: small, seedable, good enough to pick pieces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  ".", "..", "...", "%2e", "%2E", "%2e%2e", "%2E%2e", ".%2e", "%2e.", "%252e", "%252E%252e", "%25252e", "%25%32%65", "%252%65",
  "%c0%ae", "%C0%AE%c0%ae", "%e0%80%ae", "%c1%9c", "..%2f", "%2e%2e%2f", "%2f", "%2F", "%5c", "%5C", "\\", "..\\", "%00", "%0a", "%7f",
  ";", "..;", ";..", ".;x", "..;jsessionid=1", "%3b", "..%3b", "%20..", "..%20", "%e2%80%a5", "%ef%bc%8e", "%ef%bc%8f", "%e2%88%95",
  "é", "%C3%A9", "%F0%9F%98%80", "%ff", "%", "%2", "%zz", "%u002e", "#", "%23", "?", "%3f", "", "a", "b", "api", "auth", "providers",
  "x.json", ".well-known", "a..b", "~", "!$&'()*+,=:@", "a".repeat(2_000),
];

function generatePath(next: () => number, prefix: string): string {
  const pick = () => PIECES[Math.floor(next() * PIECES.length)];
  const segments: string[] = [];
  const count = 1 + Math.floor(next() * 6);
  for (let i = 0; i < count; i++) segments.push(next() < 0.3 ? pick() + pick() : pick());
  // Now and then glued to the version itself, where it must simply name no API.
  const joiner = next() < 0.05 ? "" : "/";
  const query = next() < 0.1 ? `?q=${pick()}` : "";
  return `${prefix}${joiner}${segments.join("/")}${query}`;
}

/** Every reading a lax backend might make of a path: decoded once, twice, …, as UTF-8 and as Latin-1, Unicode-folded. */
function readings(path: string): string[] {
  const out = new Set<string>([path]);
  let current = path;
  for (let round = 0; round < 4; round++) {
    const bytes = Buffer.from(current.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), "latin1");
    const asUtf8 = bytes.toString("utf8");
    for (const text of [asUtf8, bytes.toString("latin1")]) {
      out.add(text);
      out.add(text.normalize("NFKC"));
    }
    if (asUtf8 === current) break;
    current = asUtf8;
  }
  return [...out];
}

function hasDotSegment(path: string): boolean {
  return path.split(/[/\\]/).some((segment) => /^[\s.]*\.[\s.]*$/.test(segment.split(";")[0]));
}

/** The invariant: under the base path, no dot segment however it is read. */
function escapes(received: string): string | undefined {
  const path = received.split("?")[0];
  if (path !== BASE_PATH && !path.startsWith(`${BASE_PATH}/`)) return "left the base path";
  for (const reading of readings(path)) {
    if (hasDotSegment(reading)) return `holds a dot segment when read as ${JSON.stringify(reading)}`;
    if (!reading.startsWith(`${BASE_PATH}/`) && reading !== BASE_PATH) return `leaves the base path when read as ${JSON.stringify(reading)}`;
  }
  return undefined;
}

/** A path for a failure message, long segments cut. */
const show = (path: string) => JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path);

let scene: Scene;
let prefix: string;

beforeAll(async () => {
  scene = await openScene();
  const api = await scene.makeApi({ isPublic: true, endpoint: `${scene.upstream.url}${BASE_PATH}` });
  prefix = api.path;
});
afterAll(() => scene.close());

describe("path fuzzing", () => {
  it(`forwards nothing outside the endpoint's base path (seed ${SEED})`, { timeout: 60_000 }, async () => {
    const next = random(SEED);
    const paths = Array.from({ length: REQUESTS }, () => generatePath(next, prefix));
    const failures: string[] = [];
    const tally = { forwarded: 0, refused: 0, unknown: 0, parser: 0 };
    const check = (path: string, response: RawResponse) => {
      const problem = response.headers["content-type"] === "application/problem+json";
      if (response.status === 200) {
        tally.forwarded++;
        const why = escapes(JSON.parse(response.body).url);
        if (why) failures.push(`${show(path)} was forwarded as ${show(JSON.parse(response.body).url)}, which ${why}`);
      } else if (response.status === 400 && problem && JSON.parse(response.body).code === "path_invalid") tally.refused++;
      else if (response.status === 404 && problem) tally.unknown++;
      // Raw non-ASCII never reaches the gateway: Node's HTTP parser answers 400 itself.
      else if (response.status === 400 && /[^\x21-\x7e]/.test(path)) tally.parser++;
      else failures.push(`${show(path)} got ${response.status} ${response.body.slice(0, 200)}`);
    };
    let cursor = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (cursor < paths.length) {
          const path = paths[cursor++];
          check(path, await rawRequest(scene.gateway.port, path));
        }
      }),
    );

    for (const seen of scene.upstream.requests) {
      const why = escapes(seen.url);
      if (why) failures.push(`the backend received ${show(seen.url)}, which ${why}`);
    }
    expect(failures.slice(0, 20), `seed ${SEED}`).toEqual([]);
    expect(scene.upstream.requests.length).toBe(tally.forwarded);
    // The run is only worth something if both outcomes occur often.
    expect(tally.forwarded).toBeGreaterThan(REQUESTS / 20);
    expect(tally.refused).toBeGreaterThan(REQUESTS / 4);
    expect(tally.unknown + tally.parser).toBeGreaterThan(0);
  });
});
