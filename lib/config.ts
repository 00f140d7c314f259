import { databaseSettingsFromEnv } from "@/db/client";

/** Every setting of Portico, read from the environment in this one place. */
export function readConfig(env: NodeJS.ProcessEnv = process.env) {
  const port = Number(env.PORT || 3000);
  const gatewayPort = Number(env.GATEWAY_PORT || 8080);
  const { url: databaseUrl, dataDir } = databaseSettingsFromEnv(env);
  return {
    port,
    gatewayPort,
    /** The gateway's public base URL, shown in the portal. */
    gatewayUrl: (env.GATEWAY_URL || `http://localhost:${gatewayPort}`).replace(/\/+$/, ""),
    /** Where the portal itself is reached; the demo backend lives under it. */
    portalUrl: (env.PORTAL_URL || `http://localhost:${port}`).replace(/\/+$/, ""),
    dataDir,
    databaseUrl,
    redisUrl: env.REDIS_URL || undefined,
    authSecret: env.AUTH_SECRET || undefined,
    seedDemo: env.SEED_DEMO !== "false",
  };
}

export type Config = ReturnType<typeof readConfig>;
