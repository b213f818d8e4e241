// The production build served for a bench that drives the real app: built once when missing
// (BENCH_REBUILD=1 redoes it), then `next start` on a free port with the bench's environment.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A fresh embedded PostgreSQL (migrated) and local storage in a temporary folder, and the
 * environment the bench's app runs with (also set on this process, for its seeding).
 */
export async function benchEnvironment(prefix: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const { startEmbeddedPostgres } = await import("../lib/db/embedded");
  const { migrate } = await import("../lib/db/migrate");
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), database: "tandem_bench" });
  const cleanup = async () => {
    await pg.discard().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: pg.url,
    STORAGE_DIR: path.join(dir, "storage"),
    TANDEM_DATA_DIR: dir,
    AUTH_SECRET: "bench-auth-secret-0123456789abcdefghijklmnopq",
    PSEUDONYM_KEY: "bench-pseudonym-key-0123456789abcdefghijklmno",
    LOG_LEVEL: "error",
  };
  delete env.STORAGE_DRIVER;
  Object.assign(process.env, env);
  try {
    await migrate(pg.url);
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { dir, env, cleanup };
}

export async function serveBuiltApp(
  env: Record<string, string>,
  readyMs: number,
): Promise<{ base: string; stop(): Promise<void> }> {
  const { freePort } = await import("../lib/db/embedded");
  const { spawnNextStart, waitReady } = await import("../tests/e2e/start-app");
  if (!existsSync(".next/BUILD_ID") || process.env.BENCH_REBUILD === "1") {
    const b = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
      stdio: ["ignore", "ignore", "inherit"],
      env: env as NodeJS.ProcessEnv,
    });
    if (b.status !== 0) throw new Error("next build failed");
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawnNextStart(port, {
    ...env,
    NODE_ENV: "production",
    APP_URL: base,
    NEXTAUTH_URL: base,
  } as NodeJS.ProcessEnv);
  const stop = async () => {
    if (server.exitCode !== null) return;
    const done = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await done;
  };
  try {
    await waitReady(base, server, readyMs);
  } catch (e) {
    await stop();
    throw e;
  }
  return { base, stop };
}
