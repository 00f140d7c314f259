import { pino, type Logger } from "pino";

/**
 * The gateway's logger: JSON lines written in batches of 4 KB (one write per line would cost a
 * system call per request), flushed at least every half second so that quiet periods are not held back.
 */
export function createGatewayLogger(dest: string | number = 1): Logger {
  const destination = pino.destination({ dest, sync: false, minLength: 4096 });
  // Flushing before the file is open throws: the timer starts once it is.
  destination.once("ready", () => {
    const timer = setInterval(() => destination.flush(), 500).unref();
    destination.once("close", () => clearInterval(timer));
  });
  return pino({ name: "portico-gateway" }, destination);
}
