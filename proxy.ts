import { NextResponse, type NextRequest } from "next/server";

// The names lib/auth/config.ts gives the session cookie: `__Host-` over https, bare over plain http.
const SESSION_COOKIES = ["authjs.session-token", "__Host-authjs.session-token"];

/** Set on requests for catalog pages a signed-out visitor may read; app/(portal)/layout.tsx reads it. */
export const CATALOG_PAGE_HEADER = "x-portico-catalog-page";

/** The catalog (/apis) and an API's page (/apis/{org}/{api}): public unless PORTICO_PUBLIC_CATALOG=false. */
const CATALOG_PAGE = /^\/apis(?:\/[^/]+\/[^/]+)?\/?$/;

/** The same setting as isCatalogPublic in lib/auth/actor.ts, read here without loading the auth configuration. */
function publicCatalog(): boolean {
  return process.env.PORTICO_PUBLIC_CATALOG?.trim().toLowerCase() !== "false";
}

/** Whether every segment of the raw path decodes; Next.js would answer a 500 for one that does not. */
function decodablePath(pathname: string): boolean {
  try {
    for (const segment of pathname.split("/")) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses addresses with malformed %-escapes (a 404 problem under /api/v1, a plain 400 elsewhere)
 * and sends signed-out visitors of portal pages to /login, except the public catalog's pages. Real checks
 * happen on the server, page by page.
 */
export function proxy(request: NextRequest) {
  const api = request.nextUrl.pathname.startsWith("/api/v1/");
  if (!decodablePath(request.nextUrl.pathname)) {
    if (!api) return new NextResponse("That address is malformed.", { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
    const problem = { type: "urn:portico:problem:not_found", title: "Not found", status: 404, detail: "That address names nothing: it holds a malformed %-escape.", code: "not_found" };
    return NextResponse.json(problem, { status: 404, headers: { "content-type": "application/problem+json", "cache-control": "no-store" } });
  }
  if (api) return NextResponse.next();
  // The portal layout lets a visitor in only where this proxy says so; a header sent by the browser counts for nothing.
  const headers = new Headers(request.headers);
  headers.delete(CATALOG_PAGE_HEADER);
  const catalogPage = publicCatalog() && CATALOG_PAGE.test(request.nextUrl.pathname);
  if (catalogPage) headers.set(CATALOG_PAGE_HEADER, "1");
  if (catalogPage || SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next({ request: { headers } });
  const url = new URL("/login", request.url);
  const target = request.nextUrl.pathname + request.nextUrl.search;
  if (target !== "/") url.searchParams.set("next", target);
  return NextResponse.redirect(url);
}

export const config = {
  matcher: ["/((?!login|signup|forgot-password|reset-password|api/auth|demo-backend|_next|favicon.ico|icon.svg).*)"],
};
