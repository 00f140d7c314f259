import { NextResponse, type NextRequest } from "next/server";

// The names lib/auth/config.ts gives the session cookie: `__Host-` over https, bare over plain http.
const SESSION_COOKIES = ["authjs.session-token", "__Host-authjs.session-token"];

/** Sends signed-out visitors to /login. Real checks happen on the server, page by page. */
export function proxy(request: NextRequest) {
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const url = new URL("/login", request.url);
  const target = request.nextUrl.pathname + request.nextUrl.search;
  if (target !== "/") url.searchParams.set("next", target);
  return NextResponse.redirect(url);
}

export const config = {
  matcher: ["/((?!login|signup|api/auth|api/v1|demo-backend|_next|favicon.ico).*)"],
};
