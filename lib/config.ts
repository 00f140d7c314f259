import os from "node:os";
import { databaseSettingsFromEnv } from "@/db/client";
import { parseUpstreamAllow } from "@/lib/domain/upstream-rules";

/** The port of a service URL, or the service's usual port when the URL is missing, names none or is not a URL. */
function portOf(url: string | undefined, usual: number): number {
  try {
    return url ? Number(new URL(url).port) || usual : usual;
  } catch {
    return usual;
  }
}

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
    /**
     * GATEWAY_WORKERS: processes serving the gateway port, each on a core of its own; 1 serves it
     * from the main process (beside the portal under `npm start`).
     */
    gatewayWorkers: gatewayWorkerCount(env.GATEWAY_WORKERS),
    /** Ports no API endpoint may name on this machine (see lib/domain/upstream-rules.ts). */
    databasePort: portOf(databaseUrl, 5432),
    redisPort: portOf(env.REDIS_URL, 6379),
    /** PORTICO_UPSTREAM_ALLOW: endpoints the upstream rules would refuse but the operator allows (`host:port` or CIDR, comma-separated). */
    upstreamAllow: parseUpstreamAllow(env.PORTICO_UPSTREAM_ALLOW),
    authSecret: env.AUTH_SECRET || undefined,
    seedDemo: env.SEED_DEMO !== "false",
    /**
     * How many reverse proxies of ours stand in front of the portal (PORTICO_TRUST_PROXY: `true` is
     * one, or a number). Only then are X-Forwarded-For and X-Forwarded-Proto believed; 0 = none.
     */
    trustProxy: trustedProxyCount(env.PORTICO_TRUST_PROXY),
    /** Email (SMTP_URL, MAIL_FROM): null when either is missing, and then no email is sent. */
    mail: readMailConfig(env),
  };
}

export interface MailConfig {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465; it holds a password: never log it. */
  smtpUrl: string;
  /** The From of every email, such as `Portico <portico@example.com>`. */
  mailFrom: string;
  /** The portal's base URL, for the links in emails. */
  portalUrl: string;
}

/** The email settings, or null when SMTP_URL or MAIL_FROM is missing. A malformed SMTP_URL stops the start. */
export function readMailConfig(env: NodeJS.ProcessEnv = process.env): MailConfig | null {
  const smtpUrl = env.SMTP_URL?.trim();
  const mailFrom = env.MAIL_FROM?.trim();
  if (!smtpUrl || !mailFrom) return null;
  let protocol: string;
  try {
    protocol = new URL(smtpUrl).protocol;
  } catch {
    throw new Error("SMTP_URL is not a URL; write it as smtp://user:password@host:587 or smtps://user:password@host:465");
  }
  if (protocol !== "smtp:" && protocol !== "smtps:") throw new Error("SMTP_URL must start with smtp:// or smtps://");
  const port = Number(env.PORT || 3000);
  return { smtpUrl, mailFrom, portalUrl: (env.PORTAL_URL || `http://localhost:${port}`).replace(/\/+$/, "") };
}

function gatewayWorkerCount(value: string | undefined): number {
  const text = (value ?? "").trim();
  if (text === "") return os.availableParallelism();
  if (/^[1-9]\d{0,2}$/.test(text) && Number(text) <= 256) return Number(text);
  throw new Error(`GATEWAY_WORKERS must be a number of processes from 1 to 256, not "${value}"`);
}

function trustedProxyCount(value: string | undefined): number {
  const text = (value ?? "").trim().toLowerCase();
  if (text === "" || text === "false" || text === "0") return 0;
  if (text === "true") return 1;
  if (/^[1-9]\d?$/.test(text)) return Number(text);
  throw new Error(`PORTICO_TRUST_PROXY must be true, false or a number of proxies, not "${value}"`);
}

export type Config = ReturnType<typeof readConfig>;
