import { spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../lib/db/embedded";
import { spawnNextStart, waitReady } from "./start-app";

// Builds the app once if needed and serves it with `next start` against the test database.
let server: ChildProcess | undefined;

export async function setup() {
  if (!existsSync(".next/BUILD_ID") || process.env.E2E_REBUILD === "1") {
    const b = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
      stdio: "inherit",
      env: process.env,
    });
    if (b.status !== 0) throw new Error("next build failed");
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const storageDir = path.join(process.env.TMPDIR ?? "/tmp", `tandem-e2e-storage-${process.pid}`);
  // Upload limits below the largest JSON limit (the 20 MiB metadata CSV), so one oversized
  // body exceeds every route's limit in the edge matrix.
  server = spawnNextStart(port, {
    ...process.env,
    NODE_ENV: "production",
    APP_URL: base,
    NEXTAUTH_URL: base,
    STORAGE_DIR: storageDir,
    LOG_LEVEL: "warn",
    MAX_UPLOAD_BYTES: String(8 * 1024 * 1024),
    ANALYSE_MAX_BYTES: String(8 * 1024 * 1024),
  });
  writeFileSync(path.join(process.env.TMPDIR ?? "/tmp", "tandem-e2e-server-pid"), String(server.pid));
  // E2E_READY_TIMEOUT_MS: a longer wait for a machine loaded by other work.
  await waitReady(base, server, Number(process.env.E2E_READY_TIMEOUT_MS ?? 60_000));
  process.env.E2E_BASE_URL = base;
  process.env.STORAGE_DIR = storageDir;
  writeFileSync(path.join(process.env.TMPDIR ?? "/tmp", "tandem-e2e-base"), base);
}

export async function teardown() {
  if (server && server.exitCode === null) {
    const done = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await done;
  }
}
