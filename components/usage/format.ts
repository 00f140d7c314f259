/** Numbers and times as the usage pages show them: en-GB grouping ("1,234"), times in UTC like the rest of the portal. */
const countFormat = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
const msFormat = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 });
const percentFormat = new Intl.NumberFormat("en-GB", { style: "percent", maximumFractionDigits: 1 });

export type UsageStepName = "minute" | "hour" | "day";

export function formatCount(n: number): string {
  return countFormat.format(n);
}

export function formatPercent(part: number, whole: number): string {
  return whole > 0 ? percentFormat.format(part / whole) : "—";
}

/** A mean latency: "84 ms", "1.2 s"; "—" without requests. */
export function formatMeanMs(ms: number | null): string {
  if (ms === null) return "—";
  return ms < 1000 ? `${msFormat.format(ms)} ms` : `${msFormat.format(ms / 1000)} s`;
}

const timeFormats: Record<UsageStepName, Intl.DateTimeFormat> = {
  minute: new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" }),
  hour: new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" }),
  day: new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" }),
};
const fullFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

/** The start of a point, as short as its step allows (an axis tick). */
export function formatPointTime(at: number | Date, step: UsageStepName): string {
  return timeFormats[step].format(new Date(at));
}

/** A point's start in full, for tables and tooltips. */
export function formatPointTimeFull(at: number | Date, step: UsageStepName): string {
  const date = new Date(at);
  return step === "day" ? `${new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(date)} (UTC day)` : `${fullFormat.format(date)} UTC`;
}

export function formatRangeBounds(from: Date, to: Date): string {
  return `${fullFormat.format(from)} – ${fullFormat.format(to)} UTC`;
}

/** "00:00 UTC" today or tomorrow, or the date for a later reset (a monthly quota). */
export function formatReset(resetsAt: Date, now: Date): string {
  const time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" }).format(resetsAt);
  const hoursAway = (resetsAt.getTime() - now.getTime()) / 3_600_000;
  if (hoursAway <= 24) return `${time} UTC`;
  return `${new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" }).format(resetsAt)}, ${time} UTC`;
}
