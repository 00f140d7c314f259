import { USAGE_PRESETS, type UsagePreset, type UsageRangeInput } from "@/lib/domain/usage";

type Search = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** A date-time input's value has no zone: the pages say UTC, so it is read as UTC. */
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
export function utcInput(value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  return LOCAL_DATE_TIME.test(text) ? `${text}Z` : text;
}

/** What the URL asks for: `?range=24h`, or `?from=…&to=…` (a custom range); the domain validates it. */
export interface RangeQuery {
  input: UsageRangeInput;
  /** The preset chosen, "custom" for from/to, or undefined for the default. */
  chosen: UsagePreset | "custom" | undefined;
  from?: string;
  to?: string;
  /** The same range as a query string, for the CSV link and the preset links' neighbours. */
  query: string;
}

export function rangeQueryOf(search: Search): RangeQuery {
  const range = first(search.range);
  const from = first(search.from)?.trim() || undefined;
  const to = first(search.to)?.trim() || undefined;
  const params = new URLSearchParams();
  if (from !== undefined || to !== undefined) {
    if (from) params.set("from", from);
    if (to) params.set("to", to);
    return { input: { from: utcInput(from), to: utcInput(to) }, chosen: "custom", from, to, query: params.toString() };
  }
  const preset = USAGE_PRESETS.find((p) => p === range);
  if (preset) params.set("range", preset);
  return { input: preset ? { preset } : {}, chosen: preset, query: params.toString() };
}

export function withQuery(href: string, query: string): string {
  return query ? `${href}?${query}` : href;
}

/** A date as a datetime-local input's value, in UTC. */
export function toDateTimeInput(date: Date): string {
  return date.toISOString().slice(0, 16);
}
