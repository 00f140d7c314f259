import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrateDatabase, openPglite, type OpenDatabase } from "./client";
import { DataDirLockedError, lockDataDir, processStartIdentity } from "./data-dir-lock";

const opened: OpenDatabase[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "portico-lock-"));
}

describe.runIf(process.env.PORTICO_TEST_DB !== "postgres")("the embedded database's data directory", () => {
  it("is refused to a second process while the first holds it, with a message that says what to do", async () => {
    const dir = tempDir();
    const first = await openPglite(dir);
    opened.push(first);
    const other = execFileSync(
      process.execPath,
      ["--import", "tsx", "-e", `import("./db/client.ts").then(m => m.openPglite(${JSON.stringify(dir)})).then(() => console.log("opened"), e => console.log(e.message))`],
      { cwd: path.resolve(import.meta.dirname, ".."), encoding: "utf8" },
    );
    expect(other).toContain(`in use by another Portico process (pid ${process.pid})`);
    expect(other).toContain("PORTICO_DATA_DIR");
  });

  it("is taken over when the process that held it died", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "pglite.lock"), "999999999");
    const open = await openPglite(dir);
    opened.push(open);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "pglite.lock"), "utf8")).pid).toBe(process.pid);
  });

  describe.runIf(fs.existsSync("/proc/self/stat"))("when the dead holder's pid now belongs to an unrelated live process", () => {
    let unrelated: ChildProcess | undefined;
    afterEach(() => {
      unrelated?.kill();
    });

    async function startUnrelated(): Promise<number> {
      unrelated = spawn("sleep", ["30"], { stdio: "ignore" });
      await new Promise((resolve) => unrelated!.once("spawn", resolve));
      return unrelated.pid!;
    }

    it("is taken over from a lock that names the pid with another process's start", async () => {
      const dir = tempDir();
      const pid = await startUnrelated();
      const started = processStartIdentity(pid)!.replace(/:\d+$/, ":1");
      fs.writeFileSync(path.join(dir, "pglite.lock"), JSON.stringify({ pid, started }));
      const open = await openPglite(dir);
      opened.push(open);
      expect(JSON.parse(fs.readFileSync(path.join(dir, "pglite.lock"), "utf8")).pid).toBe(process.pid);
    });

    it("is taken over from an old pid-only lock when that pid is not a Node.js process", async () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, "pglite.lock"), String(await startUnrelated()));
      const open = await openPglite(dir);
      opened.push(open);
      expect(JSON.parse(fs.readFileSync(path.join(dir, "pglite.lock"), "utf8")).pid).toBe(process.pid);
    });

    it("is still refused while the lock's own process runs", () => {
      const dir = tempDir();
      const started = processStartIdentity(process.ppid);
      fs.writeFileSync(path.join(dir, "pglite.lock"), JSON.stringify({ pid: process.ppid, started }));
      expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    });
  });

  it("is released on close, and the data is still there when opened again", async () => {
    const dir = tempDir();
    const first = await openPglite(dir);
    await migrateDatabase(first);
    await first.db.execute("insert into organizations (slug, name) values ('kept', 'Kept')");
    await first.close();
    expect(fs.existsSync(path.join(dir, "pglite.lock"))).toBe(false);
    const again = await openPglite(dir);
    opened.push(again);
    const result = (await again.db.execute("select name from organizations where slug = 'kept'")) as unknown as { rows: unknown[] };
    expect(result.rows).toEqual([{ name: "Kept" }]);
  });
});
