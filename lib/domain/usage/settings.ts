/** How long the fine grains of usage are kept; the daily rows stay. */
export interface UsageRetention {
  /** Minute rows older than this many hours are deleted (PORTICO_USAGE_MINUTE_HOURS, default 48). */
  minuteHours: number;
  /** Hourly rows older than this many days are deleted (PORTICO_USAGE_HOUR_DAYS, default 90). */
  hourDays: number;
}

export const DEFAULT_USAGE_RETENTION: UsageRetention = { minuteHours: 48, hourDays: 90 };

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  const text = value?.trim();
  if (!text) return fallback;
  if (!/^[1-9]\d{0,5}$/.test(text)) throw new Error(`${name} must be a whole number above 0, not "${value}"`);
  return Number(text);
}

/** The usage retention settings, read from the environment in this one place. */
export function usageRetentionFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): UsageRetention {
  const minuteHours = positiveInteger("PORTICO_USAGE_MINUTE_HOURS", env.PORTICO_USAGE_MINUTE_HOURS, DEFAULT_USAGE_RETENTION.minuteHours);
  const hourDays = positiveInteger("PORTICO_USAGE_HOUR_DAYS", env.PORTICO_USAGE_HOUR_DAYS, DEFAULT_USAGE_RETENTION.hourDays);
  // Hours must outlive minutes: a range too long for minutes but within their retention is read from hourly rows.
  if (hourDays * 24 < minuteHours) throw new Error("PORTICO_USAGE_HOUR_DAYS must cover at least PORTICO_USAGE_MINUTE_HOURS");
  return { minuteHours, hourDays };
}
