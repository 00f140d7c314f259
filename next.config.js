import { PHASE_DEVELOPMENT_SERVER } from "next/constants.js";

/**
 * The largest server action body: the API version form sends docs (200,000 characters) and an
 * OpenAPI document (2,000,000) at up to 3 bytes each in UTF-8, about 6.6 MB, so a form the domain
 * accepts always arrives and the domain answers with a field error instead of a 413.
 * lib/domain/text.test.ts checks this against TEXT_LIMITS.
 */
export const SERVER_ACTION_BODY_LIMIT = "7mb";

/**
 * Sent with every response. Scripts may be inline because Next.js writes its own inline scripts
 * and nonces would need the proxy; everything else is held to this origin. Images come from here
 * or data: URLs only, so docs cannot load a tracking pixel.
 */
export function contentSecurityPolicy({ dev = false } = {}) {
  return [
    "default-src 'self'",
    // React needs eval in development for its debugging stacks.
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders({ dev = false } = {}) {
  return [
    { key: "Content-Security-Policy", value: contentSecurityPolicy({ dev }) },
    // For browsers that predate frame-ancestors.
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
  ];
}

/** @type {(phase: string) => import('next').NextConfig} */
export default function nextConfig(phase) {
  const dev = phase === PHASE_DEVELOPMENT_SERVER;
  return {
    // Native and WASM packages load from node_modules at run time instead of being bundled.
    serverExternalPackages: ["@electric-sql/pglite", "pg", "@node-rs/argon2", "pino", "ioredis", "undici"],
    poweredByHeader: false,
    // Lets two builds (say, two test runs) live side by side; `.next` by default.
    distDir: process.env.PORTICO_BUILD_DIR || ".next",
    typescript: { ignoreBuildErrors: true },
    experimental: { serverActions: { bodySizeLimit: SERVER_ACTION_BODY_LIMIT } },
    async headers() {
      return [{ source: "/:path*", headers: securityHeaders({ dev }) }];
    },
  };
}
