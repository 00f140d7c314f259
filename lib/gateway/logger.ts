import fs from "node:fs";
import { pino, type Logger } from "pino";

/**
 * Log lines gathered into chunks of about 64 KB and written together, at least every quarter
 * second: one write per line would cost a system call per request. Each line is encoded into the
 * chunk as it arrives, so no string outlives its request (held strings would survive into the old
 * generation and cost full garbage collections later). When the output cannot keep up, lines are
 * dropped (and counted) rather than held in memory without bound.
 */
export class BatchedLines {
  private chunk: Buffer;
  private used = 0;
  private dropped = 0;
  /** Lines dropped since the start, for the metrics. */
  droppedTotal = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly out: NodeJS.WritableStream & { writableLength?: number },
    private readonly chunkSize = 64 * 1024,
    intervalMs = 250,
    private readonly maxPending = 16 * 1024 * 1024,
  ) {
    this.chunk = Buffer.allocUnsafe(chunkSize);
    this.timer = setInterval(() => this.flush(), intervalMs).unref();
  }

  write(line: string): void {
    if ((this.out.writableLength ?? 0) > this.maxPending) this.drop();
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    else this.append(line, 3, "utf8");
  }

  /** A line known to hold ASCII characters only: copied as it is, without UTF-8 encoding. */
  writeAscii(line: string): void {
    if ((this.out.writableLength ?? 0) > this.maxPending) this.drop();
    else this.append(line, 1, "latin1");
  }

  private drop(): void {
    this.dropped++;
    this.droppedTotal++;
  }

  private append(line: string, maxBytesPerChar: number, encoding: "utf8" | "latin1"): void {
    if (this.used + line.length * maxBytesPerChar > this.chunk.length) {
      this.flush();
      if (line.length * maxBytesPerChar > this.chunk.length) {
        this.out.write(line);
        return;
      }
    }
    this.used += this.chunk.write(line, this.used, encoding);
  }

  /** Writes what is gathered; pino calls it from logger.flush(). */
  flush(done?: (error?: Error) => void): void {
    if (this.dropped > 0) {
      const dropped = this.dropped;
      this.dropped = 0;
      this.append(`${JSON.stringify({ level: 40, time: Date.now(), msg: "Log output too slow: lines dropped", dropped })}\n`, 1, "latin1");
    }
    if (this.used > 0) {
      // The stream keeps the chunk until it is written: the next lines go to a new one.
      this.out.write(this.chunk.subarray(0, this.used));
      this.chunk = Buffer.allocUnsafe(this.chunkSize);
      this.used = 0;
    }
    done?.();
  }

  /** Writes what is left and stops the timer. */
  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/** Lines a logger dropped since it started, when its destination is a BatchedLines (createGatewayLogger's); else undefined. */
export function droppedLogLines(logger: Logger): (() => number) | undefined {
  const stream = (logger as PinoInternals)[pino.symbols.streamSym];
  return stream instanceof BatchedLines ? () => stream.droppedTotal : undefined;
}

/** The gateway's logger: one JSON line per event, on standard output unless `dest` names a file. */
export function createGatewayLogger(dest: string | number = 1, chunkSize?: number): Logger {
  const out = dest === 1 ? process.stdout : typeof dest === "number" ? fs.createWriteStream("", { fd: dest }) : fs.createWriteStream(dest, { flags: "a" });
  return pino({ name: "portico-gateway" }, new BatchedLines(out, chunkSize));
}

export interface RequestLine {
  method: string;
  path: string;
  status: number;
  /** Written with two decimals. */
  latencyMs: number;
  contractId: string | undefined;
  /** Key fingerprint, never the key. */
  key: string | undefined;
  requestId: string;
  aborted: boolean;
}

/**
 * A non-negative number rounded to two decimals, as JSON number text. Made from whole numbers:
 * turning a fraction into text is one of the costlier steps of a log line, paid on every request.
 */
export function twoDecimals(value: number): string {
  const hundredths = Math.round(value * 100);
  const whole = Math.floor(hundredths / 100);
  const rest = hundredths - whole * 100;
  if (rest === 0) return `${whole}`;
  if (rest % 10 === 0) return `${whole}.${rest / 10}`;
  return rest < 10 ? `${whole}.0${rest}` : `${whole}.${rest}`;
}

type PinoInternals = Logger & { [key: symbol]: unknown };

// A path that JSON needs no escapes for and that is ASCII: printable characters but " and \.
// Paths come from the request line, whose bytes Node reads one character each, so anything else
// (percent-encoding aside) is rare.
const PLAIN_PATH = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Writes the per-request line to a pino logger's destination, in the same layout as its other
 * lines (level, time, the logger's bindings, the fields, msg). Kept because `logger.info(fields)`
 * on pino.destination measured +22 % instructions per request of c (docs/benchmarks/2026-12-06-readable-gateway.md).
 */
export class RequestLog {
  private readonly stream: { write(line: string): void };
  /** The destination again when lines of plain paths can be copied into it as ASCII. */
  private readonly asciiStream: BatchedLines | undefined;
  private readonly time: () => string;
  /** `{"level":30`: what comes before the time. */
  private readonly head: string;
  /** The logger's bindings and the first field's name: what comes after the time. */
  private readonly afterTime: string;
  /** The message and the end of the line. */
  private readonly tail: string;
  /** The time field as the logger writes it, made once per millisecond rather than once per line. */
  private timeText = "";
  private timeOfText = -1;

  constructor(private readonly logger: Logger) {
    const internals = logger as PinoInternals;
    this.stream = internals[pino.symbols.streamSym] as { write(line: string): void };
    this.time = internals[pino.symbols.timeSym] as () => string;
    // The constant parts are joined once here: every join in write() is a string made per request.
    this.head = `{"level":${logger.levels.values.info}`;
    this.afterTime = `${internals[pino.symbols.chindingsSym] as string},"method":"`;
    this.tail = `,"${internals[pino.symbols.messageKeySym] as string}":"request"}\n`;
    // Method, time, status, latency, ids and key fingerprint are ASCII by construction; the bindings (a host name, say) may not be.
    const constantsAscii = ASCII.test(this.head + this.time() + this.afterTime + this.tail);
    this.asciiStream = this.stream instanceof BatchedLines && constantsAscii ? this.stream : undefined;
  }

  /** `now`: the current time in epoch ms, when the caller has it already; the time field is made again when it changes. */
  write(r: RequestLine, now = Date.now()): void {
    // Read each time: the level can be changed while the gateway runs.
    if (!this.logger.isLevelEnabled("info")) return;
    if (now !== this.timeOfText) {
      this.timeOfText = now;
      this.timeText = this.time();
    }
    // method is an HTTP token, requestId matches [\w.:@-], contract ids are UUIDs, fingerprints are
    // hexadecimal: none of them needs escaping. The path comes from the caller and is escaped.
    const plain = PLAIN_PATH.test(r.path);
    const line =
      `${this.head}${this.timeText}${this.afterTime}${r.method}","path":"${plain ? r.path : JSON.stringify(r.path).slice(1, -1)}","status":${r.status},"latencyMs":${twoDecimals(r.latencyMs)}` +
      `${r.contractId === undefined ? "" : `,"contractId":"${r.contractId}"`}${r.key === undefined ? "" : `,"key":"${r.key}"`},"requestId":"${r.requestId}"` +
      `${r.aborted ? ',"aborted":true' : ""}${this.tail}`;
    if (plain && this.asciiStream) this.asciiStream.writeAscii(line);
    else this.stream.write(line);
  }
}
