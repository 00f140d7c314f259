import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyFingerprint } from "@/lib/domain/keys";
import { BatchedLines, createGatewayLogger, type RequestLine, RequestLog, twoDecimals } from "./logger";
import { call, openScene, rawRequest, type Scene } from "./test-support";

const dir = mkdtempSync(path.join(os.tmpdir(), "portico-gateway-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every line written so far, parsed, once the logger's buffer has been handed to the file. */
async function linesOf(logger: Logger, file: string): Promise<Record<string, unknown>[]> {
  await new Promise<void>((resolve, reject) => logger.flush((error) => (error ? reject(error) : resolve())));
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

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

describe("batched log lines, by size", () => {
  it("keep every line whole within a chunk, multi-byte text included, and pass a line longer than a chunk through whole", () => {
    const { out, writes } = recordingOutput();
    const lines = new BatchedLines(out, 256, 60_000);
    const sent = [...Array(30).keys()].map((i) => `{"i":${i},"city":"Tromsø – 北極"}\n`);
    const long = `{"long":"${"x".repeat(1_000)}"}\n`;
    for (const line of sent.slice(0, 15)) lines.write(line);
    lines.write(long);
    for (const line of sent.slice(15)) lines.write(line);
    lines.close();
    expect(writes.length).toBeGreaterThan(3);
    for (const chunk of writes) expect(chunk.endsWith("\n")).toBe(true);
    expect(writes.join("")).toBe([...sent.slice(0, 15), long, ...sent.slice(15)].join(""));
  });
});

describe("request log lines", () => {
  const line: RequestLine = {
    method: "GET",
    path: '/acme/weather/1.0/a"b\\c/Tromsø',
    status: 200,
    latencyMs: 1.25,
    contractId: "0b8c7e0e-1f7e-4a0f-9a1d-2e6c1f7f5c11",
    key: "a1b2c3d4e5f6",
    requestId: "req-1",
    aborted: false,
  };

  function capture(level = "info") {
    const written: string[] = [];
    const logger = pino({ name: "portico-gateway", level }, { write: (l: string) => void written.push(l) });
    return { logger, written };
  }

  it("have the layout of the logger's own lines: level, time, bindings, fields, msg", () => {
    const { logger, written } = capture();
    const child = logger.child({ instance: "gw-2" });
    child.info({ method: "GET" }, "request");
    new RequestLog(child).write(line);
    const [fromPino, ours] = written.map((l) => JSON.parse(l));
    expect(Object.keys(ours).slice(0, 6)).toEqual(Object.keys(fromPino).slice(0, 6));
    expect(ours).toMatchObject({ level: 30, name: "portico-gateway", instance: "gw-2", msg: "request" });
    expect(Math.abs(ours.time - Date.now())).toBeLessThan(5_000);
    const { aborted: _aborted, ...fields } = line;
    expect(ours).toMatchObject(fields);
    expect(ours).not.toHaveProperty("aborted");
    expect(written[1].endsWith("}\n")).toBe(true);
  });

  it("escape the caller's path and leave out what a request did not have", () => {
    const { logger, written } = capture();
    new RequestLog(logger).write({ ...line, path: '/x"},"status":0,"y":"\n', contractId: undefined, key: undefined, status: 499, aborted: true });
    const parsed = JSON.parse(written[0]);
    expect(parsed.path).toBe('/x"},"status":0,"y":"\n');
    expect(parsed.status).toBe(499);
    expect(parsed.aborted).toBe(true);
    expect(parsed).not.toHaveProperty("contractId");
    expect(parsed).not.toHaveProperty("key");
  });

  it("reach the batched output whole, whether the path is plain, escaped or not ASCII, and whatever the bindings hold", () => {
    const { out, writes } = recordingOutput();
    const lines = new BatchedLines(out, 64 * 1024, 60_000);
    const logger = pino({ name: "portico-gateway" }, lines);
    const paths = ["/acme/weather/1.0/forecast", '/acme/weather/1.0/a"b\\c', "/acme/weather/1.0/Tromsø", "/acme/weather/1.0/%C3%B8"];
    const log = new RequestLog(logger);
    for (const path of paths) log.write({ ...line, path });
    // Bindings that are not ASCII: the lines must still be valid UTF-8.
    new RequestLog(logger.child({ site: "Tromsø – 北極" })).write({ ...line, path: paths[0] });
    lines.close();
    const written = writes.join("").trim().split("\n").map((l) => JSON.parse(l));
    expect(written.map((l) => l.path)).toEqual([...paths, paths[0]]);
    expect(written[4].site).toBe("Tromsø – 北極");
    expect(written.every((l) => l.msg === "request" && l.requestId === line.requestId)).toBe(true);
  });

  it("give the latency in milliseconds rounded to two decimals, as JSON numbers", () => {
    const { logger, written } = capture();
    const log = new RequestLog(logger);
    const latencies = [0, 0.004, 0.005, 0.1, 1.25, 3.2, 3.999, 10.01, 12345.6789, 7];
    for (const latencyMs of latencies) log.write({ ...line, latencyMs });
    expect(written.map((l) => JSON.parse(l).latencyMs)).toEqual([0, 0, 0.01, 0.1, 1.25, 3.2, 4, 10.01, 12345.68, 7]);
    expect(latencies.map(twoDecimals)).toEqual(["0", "0", "0.01", "0.1", "1.25", "3.2", "4", "10.01", "12345.68", "7"]);
  });

  it("carry the time of their own millisecond", async () => {
    const { logger, written } = capture();
    const log = new RequestLog(logger);
    log.write(line);
    await new Promise((r) => setTimeout(r, 20));
    log.write(line);
    const [first, second] = written.map((l) => JSON.parse(l).time as number);
    expect(second - first).toBeGreaterThanOrEqual(15);
    expect(Math.abs(second - Date.now())).toBeLessThan(1_000);
  });

  it("follow the logger's level, also when it changes while running", () => {
    const { logger, written } = capture("warn");
    const log = new RequestLog(logger);
    log.write(line);
    expect(written).toEqual([]);
    logger.level = "info";
    log.write(line);
    expect(written).toHaveLength(1);
  });
});

describe("request log lines, through the gateway's logger", () => {
  let scene: Scene;
  let logger: Logger;
  let file: string;
  let api: Awaited<ReturnType<Scene["makeApi"]>>;
  let client: Awaited<ReturnType<Scene["makeClientWithContract"]>>;

  beforeAll(async () => {
    file = path.join(dir, "requests.log");
    logger = createGatewayLogger(file);
    scene = await openScene({ logger });
    api = await scene.makeApi({ policies: [] });
    client = await scene.makeClientWithContract(api);
  });
  afterAll(() => scene.close());

  /** The line of the request sent with this X-Request-Id; the gateway writes it once the response has closed. */
  async function lineOf(requestId: string): Promise<Record<string, unknown>> {
    for (let tries = 0; tries < 50; tries++) {
      const line = (await linesOf(logger, file)).find((l) => l.msg === "request" && l.requestId === requestId);
      if (line) return line;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no log line for ${requestId}`);
  }

  it("carry method, path (no query), status, latency in two decimals, contract, key fingerprint and request id; never the key", async () => {
    const result = await call(`${scene.base}${api.path}/forecast?apikey=${client.apiKey}&city=Oslo`, { method: "POST", body: "{}", headers: { "x-request-id": "log-fields" } });
    expect(result.status).toBe(200);
    const line = await lineOf("log-fields");
    expect(Object.keys(line)).toEqual(["level", "time", "pid", "hostname", "name", "method", "path", "status", "latencyMs", "contractId", "key", "requestId", "msg"]);
    expect(line).toMatchObject({ level: 30, name: "portico-gateway", method: "POST", path: `${api.path}/forecast`, status: 200, contractId: client.contractId, key: keyFingerprint(client.apiKey) });
    const latencyMs = line.latencyMs as number;
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    expect(Math.abs(latencyMs * 100 - Math.round(latencyMs * 100))).toBeLessThan(1e-6);
    expect(readFileSync(file, "utf8")).not.toContain(client.apiKey);
  });

  it("leave out the contract and key a request did not get", async () => {
    await call(`${scene.base}${api.path}/forecast`, { headers: { "x-request-id": "log-no-key" } });
    const line = await lineOf("log-no-key");
    expect(line).toMatchObject({ status: 401, requestId: "log-no-key" });
    expect(line).not.toHaveProperty("contractId");
    expect(line).not.toHaveProperty("key");
    expect(line).not.toHaveProperty("aborted");
  });

  it("escape the caller's path, whatever it holds, so that every line stays one valid JSON object", async () => {
    // Node refuses a request line with spaces, controls or bytes beyond ASCII: the rest of ASCII can come.
    const paths = [
      `${api.path}/a"b`,
      `${api.path}/x"},"status":0,"y":"`,
      `${api.path}/back\\slash`,
      `${api.path}/<script>{'|'}^\`~[]`,
      `${api.path}/%C3%B8%22%5C`,
      `/"/"`,
    ];
    for (const [i, sent] of paths.entries()) {
      const result = await rawRequest(scene.gateway.port, sent, [["X-Request-Id", `log-odd-${i}`], ["X-API-Key", client.apiKey]]);
      const line = await lineOf(`log-odd-${i}`);
      expect(line.path, sent).toBe(sent);
      expect(line.status, sent).toBe(result.status);
    }
    for (const text of readFileSync(file, "utf8").trim().split("\n")) expect(() => JSON.parse(text)).not.toThrow();
  });

  it("give a caller who left before the answer status 499 and aborted: true", async () => {
    scene.upstream.handle(() => {});
    try {
      const socket = connect(scene.gateway.port, "127.0.0.1");
      socket.write(`GET ${api.path}/slow HTTP/1.1\r\nHost: x\r\nX-API-Key: ${client.apiKey}\r\nX-Request-Id: log-left\r\n\r\n`);
      await new Promise((r) => setTimeout(r, 200));
      socket.destroy();
      const line = await lineOf("log-left");
      expect(line).toMatchObject({ status: 499, aborted: true, contractId: client.contractId, key: keyFingerprint(client.apiKey) });
    } finally {
      scene.upstream.handle(undefined);
    }
  });
});
