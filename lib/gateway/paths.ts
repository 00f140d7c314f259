/**
 * The rest of a caller's path (what follows /org/api/version) is forwarded exactly as sent, or
 * refused with 400 path_invalid. Refused: whatever a backend could read as a way out of the
 * endpoint's path, in any decoding —
 * - a dot segment (`.`, `..`, also as `.%2e`, `..;x`, `.. ` or a Unicode look-alike such as `‥`);
 * - an encoded `/`, `\` or control character (`%2f`, `%5c`, `%00`);
 * - double encoding (`%252e`, whose second decoding is a dot), malformed `%`, percent-encoded bytes
 *   that are not UTF-8 (the overlong dot `%c0%ae`);
 * - a raw backslash, `#`, space, control character or non-ASCII byte.
 */
// Refusing rather than normalising: a rewrite has to guess how the backend decodes, a refusal leaves nothing to guess (as Envoy and Kong do).

const DOT_SEGMENT = /^[\s.]*\.[\s.]*$/;
const MALFORMED_PERCENT = /%(?![0-9a-f]{2})/i;
const ENCODED_SEPARATOR_OR_CONTROL = /[/\\\x00-\x1f\x7f]/;
const STILL_ENCODED = /%[0-9a-f]{2}/i;
const NON_ASCII = /[^\x00-\x7f]/;
const SEPARATOR = /[/\\]/;

/** A segment a backend resolves as "." or "..": path parameters after ";" and spaces around do not count. */
function isDotSegment(segment: string): boolean {
  const semicolon = segment.indexOf(";");
  return DOT_SEGMENT.test(semicolon === -1 ? segment : segment.slice(0, semicolon));
}

function segmentRefusal(segment: string): string | undefined {
  if (!segment.includes("%")) return isDotSegment(segment) ? "The path contains a dot segment." : undefined;
  if (MALFORMED_PERCENT.test(segment)) return "The path contains a % that does not start a percent-encoded byte.";
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return "The path contains percent-encoded bytes that are not UTF-8.";
  }
  if (ENCODED_SEPARATOR_OR_CONTROL.test(decoded)) return "The path contains an encoded slash, backslash or control character.";
  if (STILL_ENCODED.test(decoded)) return "The path is percent-encoded twice.";
  if (isDotSegment(decoded)) return "The path contains a dot segment.";
  if (NON_ASCII.test(decoded)) {
    const folded = decoded.normalize("NFKC");
    if (SEPARATOR.test(folded) || isDotSegment(folded)) return "The path contains a character that folds into a dot or a slash.";
  }
  return undefined;
}

/**
 * Why the rest of a caller's path may not be forwarded, as a sentence, or undefined when it may.
 * One scan of the characters; only a path with a `%` or a segment starting with `.` is looked at
 * segment by segment.
 */
export function pathRefusal(rest: string): string | undefined {
  // The endpoint's path is joined to this as is: without the slash, "/v1" + "x" would leave it.
  if (rest !== "" && rest.charCodeAt(0) !== 0x2f) return "The path must start with a slash.";
  let closerLook = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    // Controls, space, DEL and non-ASCII; backslash (a separator to some servers); "#" (the start of a fragment).
    if (c <= 0x20 || c >= 0x7f || c === 0x5c || c === 0x23) return "The path contains a character that must be percent-encoded.";
    if (c === 0x25 || (c === 0x2e && rest.charCodeAt(i - 1) === 0x2f)) closerLook = true;
  }
  if (!closerLook) return undefined;
  const segments = rest.split("/");
  for (let i = 1; i < segments.length; i++) {
    const refusal = segmentRefusal(segments[i]);
    if (refusal) return refusal;
  }
  return undefined;
}

/** The backend path: the endpoint's path, then the caller's rest, which pathRefusal has let through. */
export function joinUpstreamPath(basePath: string, rest: string): string {
  return basePath + rest || "/";
}
