import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * A real SMTP server for tests, on 127.0.0.1: it keeps every message it accepted (parsed), can
 * refuse messages with a temporary error, and can be stopped and started again on the same port,
 * as an outage would.
 */
export interface TestSmtpServer {
  port: number;
  /** smtp://… for SMTP_URL, with a user and password the server accepts. */
  url: string;
  messages: ParsedMail[];
  /** Messages for one address. */
  to(address: string): ParsedMail[];
  /** While true, every message is answered 451 (try again later). */
  rejecting: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Starts on `port`, or on a free one when none is given. */
export async function startTestSmtpServer(port = 0): Promise<TestSmtpServer> {
  let server: SMTPServer | undefined;
  const state: TestSmtpServer = {
    port,
    url: "",
    messages: [],
    rejecting: false,
    to: (address) => state.messages.filter((m) => [m.to ?? []].flat().some((to) => to.value.some((v) => v.address === address))),
    async stop() {
      const current = server;
      server = undefined;
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    async start() {
      const next = new SMTPServer({
        authOptional: true,
        allowInsecureAuth: true,
        // Plain SMTP: the test has no certificate for STARTTLS.
        disabledCommands: ["STARTTLS"],
        logger: false,
        onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
        onData: (stream, _session, callback) => {
          simpleParser(stream).then(
            (parsed) => {
              if (state.rejecting) {
                callback(Object.assign(new Error("Mailbox busy, try again later"), { responseCode: 451 }));
                return;
              }
              state.messages.push(parsed);
              callback();
            },
            (error: Error) => callback(error),
          );
        },
      });
      await new Promise<void>((resolve, reject) => {
        next.once("error", reject);
        next.listen(state.port, "127.0.0.1", () => resolve());
      });
      server = next;
      state.port = (next.server.address() as AddressInfo).port;
      state.url = `smtp://portico:smtp-test-password@127.0.0.1:${state.port}`;
    },
  };
  await state.start();
  return state;
}
