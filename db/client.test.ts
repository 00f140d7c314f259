import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrateDatabase, openPglite, type OpenDatabase } from "./client";

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
    expect(fs.readFileSync(path.join(dir, "pglite.lock"), "utf8")).toBe(String(process.pid));
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
