import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedDb } from "../db/embedded";

// The local state directory (.tandem/) of the embedded, single-machine setup: secrets,
// demo passwords, the embedded database and its URL. Only its owner may read it; as root
// the database user may pass through it (0711) to reach its own 0700 data directory.

/** Files in the state directory that hold secrets: always 0600. */
export const SECRET_FILES = ["secrets.json", "demo-credentials.json", "database-url"] as const;
export const EMBEDDED_DB_PORT = 54329;

export function prepareLocalStateDir(dataDir: string, opts: { embeddedDb: boolean }): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const dbUserMustPass = opts.embeddedDb && process.getuid?.() === 0;
  chmodSync(dataDir, dbUserMustPass ? 0o711 : 0o700);
  // Local object storage (images) is private too, though others may pass through .tandem.
  const storage = path.join(dataDir, "storage");
  if (!process.env.STORAGE_DIR && process.env.STORAGE_DRIVER !== "s3")
    mkdirSync(storage, { recursive: true, mode: 0o700 });
  if (existsSync(storage)) chmodSync(storage, 0o700);
  for (const f of SECRET_FILES) {
    const p = path.join(dataDir, f);
    if (existsSync(p)) chmodSync(p, 0o600);
  }
}

/** Starts the embedded database of this state directory and keeps its URL in database-url. */
export async function startLocalDatabase(dataDir: string, onLog?: (l: string) => void): Promise<EmbeddedDb> {
  const db = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), port: EMBEDDED_DB_PORT, onLog });
  writeFileSync(path.join(dataDir, "database-url"), `${db.url}\n`, { mode: 0o600 });
  chmodSync(path.join(dataDir, "database-url"), 0o600);
  return db;
}

/** The URL of this state directory's embedded database when it is already running (npm start). */
export async function runningLocalDatabase(dataDir: string): Promise<string | undefined> {
  const file = path.join(dataDir, "database-url");
  if (!existsSync(file)) return undefined;
  const url = readFileSync(file, "utf8").trim();
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    return url;
  } catch {
    return undefined;
  } finally {
    await c.end().catch(() => undefined);
  }
}
