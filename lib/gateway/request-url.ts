import { joinUpstreamPath } from "./paths";
import type { ApiRoute } from "./registry";

/** A request URL cut at the API version: `/org/api/version` + rest of the path + query. */
export interface ApiAddress {
  /** "org/api/version", the registry's route key. */
  routePath: string;
  /** What follows the version in the path, "" or starting with "/" (pathRefusal checks that). */
  restPath: string;
  /** The query without its "?", "" when there is none. */
  query: string;
}

/** Cuts a URL at the API version, or undefined when it has fewer than three path segments. */
export function apiAddress(url: string): ApiAddress | undefined {
  // "/org/api/version" ends at the third slash after the first, or at the query, or at the end.
  const s1 = url.indexOf("/", 1);
  const s2 = s1 === -1 ? -1 : url.indexOf("/", s1 + 1);
  if (s2 === -1 || url.charCodeAt(0) !== 47) return undefined;
  let end = s2 + 1;
  while (end < url.length && url.charCodeAt(end) !== 47 && url.charCodeAt(end) !== 63) end++;
  const q = url.indexOf("?", end);
  return {
    routePath: url.slice(1, end),
    restPath: q === -1 ? url.slice(end) : url.slice(end, q),
    query: q === -1 ? "" : url.slice(q + 1),
  };
}

/** The URL's path, for the log line: the query may hold a key. */
export function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/** Splits the caller's query into the API key (first `apikey` parameter) and what is forwarded. */
export function takeKeyFromQuery(query: string): { key: string | undefined; rest: string } {
  // Fast path: most queries carry neither the parameter nor percent-encoded names.
  if (!query.includes("apikey") && !query.includes("%")) return { key: undefined, rest: query };
  let key: string | undefined;
  const kept: string[] = [];
  for (const part of query.split("&")) {
    const eq = part.indexOf("=");
    const rawName = eq === -1 ? part : part.slice(0, eq);
    if (safeDecode(rawName) === "apikey") {
      if (key === undefined && eq !== -1) key = safeDecode(part.slice(eq + 1)) || undefined;
      continue;
    }
    kept.push(part);
  }
  return { key, rest: kept.join("&") };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/** The backend path for the rest of the caller's path (already through pathRefusal) and query. */
export function upstreamPath(route: ApiRoute, restPath: string, query: string): string {
  const upstream = route.upstream!;
  const path = joinUpstreamPath(upstream.basePath, restPath);
  const fullQuery = upstream.baseQuery && query ? `${upstream.baseQuery}&${query}` : upstream.baseQuery || query;
  return fullQuery ? `${path}?${fullQuery}` : path;
}
