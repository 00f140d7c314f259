import { z } from "zod";
import { parseInput } from "../errors";
import type { UsageRetention } from "./settings";

export const USAGE_PRESETS = ["1h", "24h", "7d", "30d"] as const;
export type UsagePreset = (typeof USAGE_PRESETS)[number];

/** The spacing of a series' points; also the grains of the usage tables. */
export type UsageStep = "minute" | "hour" | "day";

export const STEP_MS: Record<UsageStep, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const STEPS: readonly UsageStep[] = ["minute", "hour", "day"];

export const MAX_USAGE_RANGE_DAYS = 400;

/** A range as a page or the REST API asks for it: a preset (default the last 24 hours), or from and to. */
export const usageRangeSchema = z
  .object({
    preset: z.enum(USAGE_PRESETS).optional(),
    from: z.coerce.date({ error: "Give a valid date and time." }).optional(),
    to: z.coerce.date({ error: "Give a valid date and time." }).optional(),
  })
  .superRefine((range, ctx) => {
    if (range.from === undefined && range.to === undefined) return;
    if (range.preset !== undefined) ctx.addIssue({ code: "custom", path: ["preset"], message: "Choose a preset or give from and to, not both." });
    if (range.from === undefined) ctx.addIssue({ code: "custom", path: ["from"], message: "Give the start of the range." });
    if (range.to === undefined) ctx.addIssue({ code: "custom", path: ["to"], message: "Give the end of the range." });
    if (range.from === undefined || range.to === undefined) return;
    if (range.from.getTime() >= range.to.getTime()) ctx.addIssue({ code: "custom", path: ["to"], message: "The end must come after the start." });
    else if (range.to.getTime() - range.from.getTime() > MAX_USAGE_RANGE_DAYS * STEP_MS.day)
      ctx.addIssue({ code: "custom", path: ["to"], message: `A range may span at most ${MAX_USAGE_RANGE_DAYS} days.` });
  });
export type UsageRangeInput = z.input<typeof usageRangeSchema>;

/** A resolved range: [from, to), both on step boundaries (UTC), read as points `step` apart. */
export interface UsageRange {
  preset: UsagePreset | "custom";
  from: Date;
  to: Date;
  step: UsageStep;
}

const floorTo = (ms: number, step: UsageStep) => ms - (((ms % STEP_MS[step]) + STEP_MS[step]) % STEP_MS[step]);
const ceilTo = (ms: number, step: UsageStep) => {
  const floor = floorTo(ms, step);
  return floor === ms ? ms : floor + STEP_MS[step];
};
const coarser = (a: UsageStep, b: UsageStep) => (STEPS.indexOf(a) >= STEPS.indexOf(b) ? a : b);

const PRESETS: Record<UsagePreset, { step: UsageStep; points: number }> = {
  "1h": { step: "minute", points: 60 },
  "24h": { step: "hour", points: 24 },
  "7d": { step: "day", points: 7 },
  "30d": { step: "day", points: 30 },
};

/**
 * The finest grain the tables hold at a time: minutes for the last `minuteHours`, hours for the
 * last `hourDays`, days before. Points cannot be finer than the rows they add up.
 */
export function grainAt(at: number, retention: UsageRetention, now: number): UsageStep {
  if (at >= floorTo(now - retention.minuteHours * STEP_MS.hour, "hour")) return "minute";
  if (at >= floorTo(now - retention.hourDays * STEP_MS.day, "day")) return "hour";
  return "day";
}

/** The step a custom range of this length is read at, before the grain of its start is considered. */
function stepForSpan(spanMs: number): UsageStep {
  if (spanMs <= 3 * STEP_MS.hour) return "minute";
  if (spanMs <= 4 * STEP_MS.day) return "hour";
  return "day";
}

/**
 * Turns a range input into aligned bounds and a step. A preset ends with the current minute, hour
 * or UTC day (1h: 60 minutes, 24h: 24 hours, 7d and 30d: days); a custom range is widened to
 * whole steps.
 */
export function resolveUsageRange(input: unknown, retention: UsageRetention, now = new Date()): UsageRange {
  const parsed = parseInput(usageRangeSchema, input ?? {});
  const nowMs = now.getTime();
  if (parsed.from === undefined || parsed.to === undefined) {
    const preset = parsed.preset ?? "24h";
    const { step, points } = PRESETS[preset];
    const to = floorTo(nowMs, step) + STEP_MS[step];
    return { preset, from: new Date(to - points * STEP_MS[step]), to: new Date(to), step };
  }
  const from = parsed.from.getTime();
  const to = parsed.to.getTime();
  const step = coarser(stepForSpan(to - from), grainAt(from, retention, nowMs));
  return { preset: "custom", from: new Date(floorTo(from, step)), to: new Date(ceilTo(to, step)), step };
}

/** The start of every point of a range. */
export function rangePoints(range: UsageRange): Date[] {
  const points: Date[] = [];
  for (let t = range.from.getTime(); t < range.to.getTime(); t += STEP_MS[range.step]) points.push(new Date(t));
  return points;
}

export { floorTo as floorToStep };
