/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@node-rs/argon2", "pino", "ioredis", "undici"],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
