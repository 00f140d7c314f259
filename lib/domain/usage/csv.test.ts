import { describe, expect, it } from "vitest";
import { csvCell, toCsv, usageSeriesCsv } from "./csv";

describe("csv", () => {
  it("writes a series with a header, ISO times and numbers", () => {
    const csv = usageSeriesCsv([
      { at: new Date("2026-03-15T12:00:00Z"), requests: 10, s2xx: 7, s3xx: 0, s4xx: 1, s5xx: 1, refused: 1, latencyMsSum: 123, meanLatencyMs: 12.3 },
      { at: new Date("2026-03-15T13:00:00Z"), requests: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, refused: 0, latencyMsSum: 0, meanLatencyMs: null },
    ]);
    expect(csv).toBe(
      "time,requests,status_2xx,status_3xx,status_4xx,status_5xx,refused,mean_latency_ms\r\n" +
        "2026-03-15T12:00:00.000Z,10,7,0,1,1,1,12.3\r\n" +
        "2026-03-15T13:00:00.000Z,0,0,0,0,0,0,\r\n",
    );
  });

  it("defuses text a spreadsheet would run as a formula, and quotes what needs it", () => {
    expect(csvCell("=HYPERLINK(\"http://x\")")).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("Acme, Inc.")).toBe('"Acme, Inc."');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(-3)).toBe("-3");
    expect(toCsv(["client", "requests"], [["=cmd|' /C calc'!A0", 5]])).toBe("client,requests\r\n'=cmd|' /C calc'!A0,5\r\n");
  });
});
