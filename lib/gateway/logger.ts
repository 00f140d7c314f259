import fs from "node:fs";
import { pino, type Logger } from "pino";

/**
 * Log lines gathered into chunks of about 64 KB and written together, at least every quarter
 * second: one write per line would cost a system call per request, and pino's own asynchronous
 * destination re-measures its whole buffer on every line. When the output cannot keep up, lines
 * are dropped (and counted) rather than held in memory without bound.
 */
export class BatchedLines {
  private lines: string[] = [];
  private size = 0;
  private dropped = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly out: NodeJS.WritableStream & { writableLength?: number },
    private readonly chunkSize = 64 * 1024,
    intervalMs = 250,
    private readonly maxPending = 16 * 1024 * 1024,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs).unref();
  }

  write(line: string): void {
    if ((this.out.writableLength ?? 0) > this.maxPending) {
      this.dropped++;
      return;
    }
    this.lines.push(line);
    this.size += line.length;
    if (this.size >= this.chunkSize) this.flush();
  }

  /** Writes what is gathered; pino calls it from logger.flush(). */
  flush(done?: (error?: Error) => void): void {
    if (this.dropped > 0) {
      this.lines.push(`${JSON.stringify({ level: 40, time: Date.now(), msg: "Log output too slow: lines dropped", dropped: this.dropped })}\n`);
      this.dropped = 0;
    }
    if (this.lines.length > 0) {
      const chunk = this.lines.join("");
      this.lines = [];
      this.size = 0;
      this.out.write(chunk);
    }
    done?.();
  }

  /** Writes what is left and stops the timer. */
  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/** The gateway's logger: one JSON line per event, on standard output unless `dest` names a file. */
export function createGatewayLogger(dest: string | number = 1): Logger {
  const out = dest === 1 ? process.stdout : typeof dest === "number" ? fs.createWriteStream("", { fd: dest }) : fs.createWriteStream(dest, { flags: "a" });
  return pino({ name: "portico-gateway" }, new BatchedLines(out));
}
