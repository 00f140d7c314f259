import { getDb } from "@/db/client";
import { runContractExpiry } from "@/lib/domain/contracts";
import { applyUsageRetention, usageRetentionFromEnv } from "@/lib/domain/usage";

/**
 * Portico's maintenance jobs, run by `npm start` in the portal process: contracts past their end
 * date expire (and their consumers are warned 7 days and 1 day before), and usage minutes and
 * hours past their retention are deleted (their days and hours hold them already).
 */

/** Runs `run` every `intervalMs`, one run at a time; a failing run is logged and the next one tries again. Stopping waits for a run in progress. */
export function startPeriodic(name: string, intervalMs: number, run: () => Promise<unknown>): () => Promise<void> {
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    current = run()
      .catch((error: unknown) => console.error(`${name} failed:`, error instanceof Error ? error.message : error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await current;
  };
}

function intervalFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env[name]);
  return Number.isInteger(value) && value >= 100 ? value : fallback;
}

export function startJobs(env: NodeJS.ProcessEnv = process.env): () => Promise<void> {
  const retention = usageRetentionFromEnv(env);
  const stops = [
    startPeriodic("contract expiry", intervalFromEnv("PORTICO_EXPIRY_INTERVAL_MS", 60_000, env), async () => runContractExpiry(await getDb())),
    // The setting keeps the name it had when the job rolled minutes up into hours.
    startPeriodic("usage retention", intervalFromEnv("PORTICO_ROLLUP_INTERVAL_MS", 10 * 60_000, env), async () => applyUsageRetention(await getDb(), new Date(), retention)),
  ];
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}
