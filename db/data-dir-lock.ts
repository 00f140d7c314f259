import fs from "node:fs";
import path from "node:path";

/** What the lock file says: the holder's pid and, where the system tells, when that process started. */
interface LockHolder {
  pid: number;
  /** Boot id and start time in clock ticks (Linux /proc): a pid reused by another process has another. */
  started?: string;
}

export class DataDirLockedError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by another Portico process (pid ${pid}). ` +
        `Stop that process first, or give this one its own PORTICO_DATA_DIR, or use PostgreSQL through DATABASE_URL.`,
    );
    this.name = "DataDirLockedError";
  }
}

function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** The process's start identity, or undefined where /proc does not exist (or the process is gone). */
export function processStartIdentity(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  const bootId = readProc("/proc/sys/kernel/random/boot_id");
  if (!stat || !bootId) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const startTicks = fields[19]; // field 22 of stat(5)
  return startTicks ? `${bootId.trim()}:${startTicks}` : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const data = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isSafeInteger(data.pid) && (data.pid as number) > 0) return { pid: data.pid as number, started: typeof data.started === "string" ? data.started : undefined };
  } catch {
    // Lock files written before the start identity hold the pid alone.
    const pid = Number(text.trim());
    if (Number.isSafeInteger(pid) && pid > 0) return { pid };
  }
  return undefined;
}

/** Whether the holder still runs: the same pid AND, where the system can tell, the same process start. */
function holderRuns(holder: LockHolder): boolean {
  if (!isAlive(holder.pid)) return false;
  const current = processStartIdentity(holder.pid);
  if (current === undefined) return true; // no /proc: the pid is all there is to go by
  if (holder.started) return holder.started === current;
  // An old-style lock without a start identity: only a Node.js process can be Portico.
  const executable = readProc(`/proc/${holder.pid}/cmdline`)?.split("\0")[0] ?? "";
  return /(^|\/)node$/.test(executable);
}

/**
 * Takes the data directory for this process, or refuses when a live process holds it. The lock
 * records the holder's start identity too, so a lock left by a process that died is taken over
 * even when its pid now belongs to an unrelated live process.
 */
export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, "pglite.lock");
  const own = JSON.stringify({ pid: process.pid, started: processStartIdentity(process.pid) } satisfies LockHolder);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, own, { flag: "wx" });
      return () => {
        try {
          if (fs.readFileSync(lockFile, "utf8") === own) fs.unlinkSync(lockFile);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = parseHolder(fs.readFileSync(lockFile, "utf8"));
      if (holder?.pid === process.pid) return () => {};
      if (holder && holderRuns(holder)) throw new DataDirLockedError(dataDir, holder.pid);
      fs.unlinkSync(lockFile); // left behind by a process that died
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}
