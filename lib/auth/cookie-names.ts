/**
 * Cookies that belong to the portal's sign-in (Auth.js names them `authjs.*`, with a `__Secure-` or
 * `__Host-` prefix behind HTTPS). The gateway strips them from every forwarded request: portal and
 * gateway on one host share cookies, and a backend must never receive a portal session.
 */
const PORTAL_COOKIE = /^(?:__Secure-|__Host-)?authjs\./i;

export function isPortalCookie(name: string): boolean {
  return PORTAL_COOKIE.test(name.trim());
}
