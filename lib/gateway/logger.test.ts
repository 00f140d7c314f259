import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { BatchedLines } from "./logger";

/** An output that records each write, and can pretend to be backed up. */
function recordingOutput(backlog = 0) {
  const writes: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  Object.defineProperty(out, "writableLength", { get: () => backlog });
  return { out, writes };
}

describe("batched log lines", () => {
  it("are written as one chunk once enough has gathered, as JSON lines", () => {
    const { out, writes } = recordingOutput();
    const lines = new BatchedLines(out, 1_000, 60_000);
    const logger = pino({}, lines);
    for (let i = 0; i < 20; i++) logger.info({ i }, "request");
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.length).toBeLessThan(5);
    lines.close();
    const all = writes.join("").trim().split("\n").map((l) => JSON.parse(l));
    expect(all.map((l) => l.i)).toEqual([...Array(20).keys()]);
  });

  it("are written within the interval when traffic is quiet", async () => {
    const { out, writes } = recordingOutput();
    const lines = new BatchedLines(out, 64 * 1024, 20);
    pino({}, lines).info("alone");
    expect(writes).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(writes.join("")).toContain('"msg":"alone"');
    lines.close();
  });

  it("are dropped and counted when the output cannot keep up, instead of piling up in memory", () => {
    const { out, writes } = recordingOutput(64 * 1024 * 1024);
    const lines = new BatchedLines(out, 1_000, 60_000);
    const logger = pino({}, lines);
    for (let i = 0; i < 5; i++) logger.info({ i }, "request");
    lines.close();
    const written = writes.join("").trim().split("\n").map((l) => JSON.parse(l));
    expect(written).toEqual([expect.objectContaining({ dropped: 5, level: 40 })]);
  });
});
