/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@node-rs/argon2", "pino", "ioredis", "undici"],
  poweredByHeader: false,
  // Lets two builds (say, two test runs) live side by side; `.next` by default.
  distDir: process.env.PORTICO_BUILD_DIR || ".next",
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
