/**
 * A path on this site: one slash, not followed by another or a backslash ("//host" and "/\host"
 * are other sites to a browser), and no control character (a browser drops tabs and newlines, so
 * "/\t/host" would become "//host").
 */
const SITE_PATH = /^\/(?![/\\])[^\u0000-\u001f\u007f]*$/;

/** Where to go after signing in or up: only a path on this site, so a crafted link cannot send people elsewhere. The catalog otherwise. */
export function safeNext(value: unknown): string {
  return typeof value === "string" && SITE_PATH.test(value) ? value : "/apis";
}

/** `path` with `?next=` when there is somewhere to come back to: the way between Sign in and Sign up keeps it. */
export function withNext(path: string, next: string | undefined): string {
  return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}
