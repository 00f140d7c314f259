/**
 * Where to go after signing in or up: only a path on this site, so a crafted link cannot send
 * people elsewhere ("//host" and "/\host" are other sites to a browser). The catalog otherwise.
 */
export function safeNext(value: unknown): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/apis";
}

/** `path` with `?next=` when there is somewhere to come back to: the way between Sign in and Sign up keeps it. */
export function withNext(path: string, next: string | undefined): string {
  return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}
