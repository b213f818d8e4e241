import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../lib/db/embedded";

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
  server = spawn(
    process.execPath,
    ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      // Upload limits below the largest JSON limit (the 20 MiB metadata CSV), so one oversized
      // body exceeds every route's limit in the edge matrix.
      env: {
        ...process.env,
        NODE_ENV: "production",
        APP_URL: base,
        NEXTAUTH_URL: base,
        STORAGE_DIR: storageDir,
        LOG_LEVEL: "warn",
        MAX_UPLOAD_BYTES: String(8 * 1024 * 1024),
        ANALYSE_MAX_BYTES: String(8 * 1024 * 1024),
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  writeFileSync(path.join(process.env.TMPDIR ?? "/tmp", "tandem-e2e-server-pid"), String(server.pid));
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(`${base}/api/ready`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    // E2E_READY_TIMEOUT_MS: a longer wait for a machine loaded by other work.
    if (Date.now() - t0 > Number(process.env.E2E_READY_TIMEOUT_MS ?? 60_000))
      throw new Error("the app did not become ready");
    await new Promise((r) => setTimeout(r, 250));
  }
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
