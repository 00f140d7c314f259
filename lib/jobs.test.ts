import { describe, expect, it, vi } from "vitest";
import { startPeriodic } from "./jobs";

describe("startPeriodic", () => {
  it("runs one at a time, survives a failing run, and stopping waits for the run in progress", async () => {
    vi.useFakeTimers();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    let running = 0;
    let most = 0;
    let runs = 0;
    let finish!: () => void;
    const stop = startPeriodic("test job", 1_000, async () => {
      runs++;
      running++;
      most = Math.max(most, running);
      if (runs === 1) throw new Error("first run fails");
      if (runs === 2) await new Promise<void>((resolve) => (finish = resolve));
      running--;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(1);
    expect(error).toHaveBeenCalledWith("test job failed:", "first run fails");
    running = 0;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(2);
    // The second run is still going: no third starts beside it.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(2);
    let stopped = false;
    const stopping = stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(2);
    expect(most).toBe(1);
    error.mockRestore();
    vi.useRealTimers();
  });
});
