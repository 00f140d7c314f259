import { createHash } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, openScene, type Scene } from "./test-support";

const SIZE = 50 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, "portico streaming test ");
// Buffering would hold the whole body (SIZE); streaming holds a few 64 KB socket chunks, whatever the size.
const MAX_GROWTH = 8 * 1024 * 1024;

setFlagsFromString("--expose-gc");
// Freed buffers are otherwise swept by a background thread, and counted until it gets to them.
setFlagsFromString("--no-concurrent-array-buffer-sweeping");
const gc = runInNewContext("gc") as () => void;

/** Live memory after a full collection, in the JS heap and in buffers (where a held body would be). */
function liveMemory(): { heap: number; buffers: number } {
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

/** Samples live memory while `work` runs; returns the highest growth above the starting point of each kind. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: { heap: number; buffers: number } }> {
  const baseline = liveMemory();
  const growth = { heap: 0, buffers: 0 };
  const sample = () => {
    const now = liveMemory();
    growth.heap = Math.max(growth.heap, now.heap - baseline.heap);
    growth.buffers = Math.max(growth.buffers, now.buffers - baseline.buffers);
  };
  const sampler = setInterval(sample, 50);
  try {
    const result = await work();
    sample();
    return { result, growth };
  } finally {
    clearInterval(sampler);
  }
}

/** SIZE bytes of CHUNKs, produced as they are read. */
function fiftyMegabytes(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= SIZE) return void this.push(null);
      sent += CHUNK.length;
      this.push(CHUNK);
    },
  });
}

function expectedHash(): string {
  const hash = createHash("sha256");
  for (let sent = 0; sent < SIZE; sent += CHUNK.length) hash.update(CHUNK);
  return hash.digest("hex");
}

let scene: Scene;
let api: Awaited<ReturnType<Scene["makeApi"]>>;
let apiKey: string;

beforeAll(async () => {
  scene = await openScene();
  api = await scene.makeApi();
  ({ apiKey } = await scene.makeClientWithContract(api));
});
afterAll(() => scene.close());

function gatewayRequest(path: string, method: string): ReturnType<typeof httpRequest> {
  return httpRequest(`${scene.base}${api.path}${path}`, { method, headers: { "x-api-key": apiKey } });
}

function readAll(res: IncomingMessage): Promise<{ bytes: number; hash: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    let bytes = 0;
    res.on("data", (c: Buffer) => {
      bytes += c.length;
      hash.update(c);
    });
    res.on("end", () => resolve({ bytes, hash: hash.digest("hex") }));
    res.on("error", reject);
  });
}

describe("streaming through the gateway", () => {
  it("streams a 50 MB upload to the backend with flat memory", async () => {
    scene.upstream.handle((req, res) => {
      readAll(req).then((seen) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(seen)));
    });
    try {
      const { result, growth } = await peakGrowth(
        () =>
          new Promise<{ bytes: number; hash: string }>((resolve, reject) => {
            const req = gatewayRequest("/upload", "PUT");
            req.on("response", (res) => {
              let text = "";
              res.on("data", (c: Buffer) => (text += c));
              res.on("end", () => resolve(JSON.parse(text)));
            });
            req.on("error", reject);
            fiftyMegabytes().pipe(req);
          }),
      );
      expect(result).toEqual({ bytes: SIZE, hash: expectedHash() });
      expect(growth.buffers).toBeLessThan(MAX_GROWTH);
      expect(growth.heap).toBeLessThan(MAX_GROWTH);
    } finally {
      scene.upstream.handle(undefined);
    }
  });

  it("streams a 50 MB download to the caller with flat memory", async () => {
    scene.upstream.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": SIZE });
      fiftyMegabytes().pipe(res);
    });
    try {
      const { result, growth } = await peakGrowth(
        () =>
          new Promise<{ bytes: number; hash: string }>((resolve, reject) => {
            const req = gatewayRequest("/download", "GET");
            req.on("response", (res) => readAll(res).then(resolve, reject));
            req.on("error", reject);
            req.end();
          }),
      );
      expect(result).toEqual({ bytes: SIZE, hash: expectedHash() });
      expect(growth.buffers).toBeLessThan(MAX_GROWTH);
      expect(growth.heap).toBeLessThan(MAX_GROWTH);
    } finally {
      scene.upstream.handle(undefined);
    }
  });

  it("holds the backend back while the caller does not read (backpressure, no buffering)", async () => {
    // Far more than the kernel's socket buffers on this path can hold (loopback autotunes them to tens of MB).
    const huge = 1024 * 1024 * 1024;
    let written = 0;
    let finished = false;
    scene.upstream.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": huge });
      const source = new Readable({
        read() {
          if (written >= huge) return void this.push(null);
          written += CHUNK.length;
          this.push(CHUNK);
        },
      });
      source.pipe(res).on("finish", () => (finished = true));
    });
    const req = gatewayRequest("/download", "GET");
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        req.on("response", resolve);
        req.on("error", reject);
        req.end();
      });
      res.pause();
      // Wait until the backend is stuck: nothing more written for a while.
      let last = -1;
      while (written !== last) {
        last = written;
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(finished).toBe(false);
      expect(written).toBeLessThan(huge / 8);
      // Reading again lets the backend go on.
      res.resume();
      await eventually(async () => written > last + 10 * CHUNK.length, 2_000, "the resumed stream");
    } finally {
      req.destroy();
      scene.upstream.handle(undefined);
    }
  });

  it("aborts the backend request when the caller goes away", async () => {
    let backendClosed = false;
    let backendGotRequest = false;
    scene.upstream.handle((req, res) => {
      backendGotRequest = true;
      req.resume();
      // Answers slowly, forever: only an abort from the gateway ends this exchange.
      res.writeHead(200, { "content-type": "text/plain" });
      const timer = setInterval(() => res.write("tick\n"), 50);
      res.on("close", () => {
        clearInterval(timer);
        backendClosed = true;
      });
    });
    try {
      const req = gatewayRequest("/slow", "GET");
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        req.on("response", resolve);
        req.on("error", reject);
        req.end();
      });
      await new Promise((resolve) => res.once("data", resolve));
      expect(backendGotRequest).toBe(true);
      expect(backendClosed).toBe(false);
      req.destroy();
      await eventually(async () => backendClosed, 2_000, "the abort");
    } finally {
      scene.upstream.handle(undefined);
    }
  });

  it("aborts the backend request when the caller goes away before any answer", async () => {
    let backendClosed = false;
    let received: () => void = () => {};
    const gotRequest = new Promise<void>((resolve) => (received = resolve));
    scene.upstream.handle((req, res) => {
      req.resume();
      received();
      res.on("close", () => (backendClosed = true));
    });
    try {
      const req = gatewayRequest("/silent", "GET");
      req.on("error", () => {});
      req.end();
      await gotRequest;
      req.destroy();
      await eventually(async () => backendClosed, 2_000, "the abort");
    } finally {
      scene.upstream.handle(undefined);
    }
  });
});
