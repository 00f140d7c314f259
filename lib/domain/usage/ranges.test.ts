import { describe, expect, it } from "vitest";
import { isDomainError } from "../errors";
import { grainAt, rangePoints, resolveUsageRange } from "./ranges";
import { DEFAULT_USAGE_RETENTION, usageRetentionFromEnv } from "./settings";

const now = new Date("2026-03-15T12:34:56Z");
const resolve = (input: unknown) => resolveUsageRange(input, DEFAULT_USAGE_RETENTION, now);

function failure(input: unknown) {
  try {
    resolve(input);
  } catch (error) {
    if (isDomainError(error, "validation_failed")) return error.fields;
    throw error;
  }
  throw new Error("expected a validation failure");
}

describe("resolveUsageRange", () => {
  it("ends presets with the current minute, hour or UTC day", () => {
    expect(resolve({ preset: "1h" })).toEqual({ preset: "1h", step: "minute", from: new Date("2026-03-15T11:35:00Z"), to: new Date("2026-03-15T12:35:00Z") });
    expect(resolve({})).toEqual({ preset: "24h", step: "hour", from: new Date("2026-03-14T13:00:00Z"), to: new Date("2026-03-15T13:00:00Z") });
    expect(resolve({ preset: "7d" })).toMatchObject({ step: "day", from: new Date("2026-03-09T00:00:00Z"), to: new Date("2026-03-16T00:00:00Z") });
    expect(rangePoints(resolve({ preset: "30d" }))).toHaveLength(30);
    expect(rangePoints(resolve({ preset: "1h" }))).toHaveLength(60);
  });

  it("picks a custom range's step from its length, widened to whole steps", () => {
    expect(resolve({ from: "2026-03-15T10:00:30Z", to: "2026-03-15T11:00:00Z" })).toMatchObject({ step: "minute", from: new Date("2026-03-15T10:00:00Z") });
    expect(resolve({ from: "2026-03-14T10:30:00Z", to: "2026-03-15T10:30:00Z" })).toMatchObject({
      step: "hour",
      from: new Date("2026-03-14T10:00:00Z"),
      to: new Date("2026-03-15T11:00:00Z"),
    });
    expect(resolve({ from: "2026-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z" }).step).toBe("day");
  });

  it("never reads finer than the rows the range starts in", () => {
    // Two hours, 60 days back: only hourly rows are left there.
    expect(resolve({ from: "2026-01-14T10:00:00Z", to: "2026-01-14T12:00:00Z" }).step).toBe("hour");
    // Two hours, 120 days back: only daily rows.
    expect(resolve({ from: "2025-11-15T10:00:00Z", to: "2025-11-15T12:00:00Z" }).step).toBe("day");
    expect(grainAt(now.getTime() - 47 * 3_600_000, DEFAULT_USAGE_RETENTION, now.getTime())).toBe("minute");
    expect(grainAt(now.getTime() - 50 * 3_600_000, DEFAULT_USAGE_RETENTION, now.getTime())).toBe("hour");
    expect(grainAt(now.getTime() - 91 * 86_400_000, DEFAULT_USAGE_RETENTION, now.getTime())).toBe("day");
  });

  it("refuses reversed, empty, half-given, mixed and too long ranges", () => {
    expect(failure({ from: "2026-03-15T10:00:00Z", to: "2026-03-15T10:00:00Z" })).toHaveProperty("to");
    expect(failure({ from: "2026-03-15T11:00:00Z", to: "2026-03-15T10:00:00Z" })).toHaveProperty("to");
    expect(failure({ from: "2026-03-15T10:00:00Z" })).toHaveProperty("to");
    expect(failure({ from: "not a date", to: "2026-03-15T10:00:00Z" })).toHaveProperty("from");
    expect(failure({ preset: "1h", from: "2026-03-15T10:00:00Z", to: "2026-03-15T11:00:00Z" })).toHaveProperty("preset");
    expect(failure({ preset: "1y" })).toHaveProperty("preset");
    expect(failure({ from: "2025-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z" })).toHaveProperty("to");
    expect(resolve({ from: "2025-02-01T00:00:00Z", to: "2026-03-01T00:00:00Z" }).step).toBe("day");
  });
});

describe("usageRetentionFromEnv", () => {
  it("reads the two settings with their defaults", () => {
    expect(usageRetentionFromEnv({})).toEqual({ minuteHours: 48, hourDays: 90 });
    expect(usageRetentionFromEnv({ PORTICO_USAGE_MINUTE_HOURS: "24", PORTICO_USAGE_HOUR_DAYS: "30" })).toEqual({ minuteHours: 24, hourDays: 30 });
    expect(() => usageRetentionFromEnv({ PORTICO_USAGE_MINUTE_HOURS: "-1" })).toThrow(/PORTICO_USAGE_MINUTE_HOURS/);
    expect(() => usageRetentionFromEnv({ PORTICO_USAGE_MINUTE_HOURS: "72", PORTICO_USAGE_HOUR_DAYS: "2" })).toThrow(/PORTICO_USAGE_HOUR_DAYS/);
  });
});
