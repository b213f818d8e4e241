import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

/** `next start` of the production build on 127.0.0.1:`port`, with the given environment. */
export function spawnNextStart(
  port: number,
  env: NodeJS.ProcessEnv,
  stderr: "inherit" | "ignore" | "pipe" = "inherit",
): ChildProcess {
  return spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    env,
    stdio: ["ignore", "ignore", stderr],
  });
}

/** Waits until the app answers /api/ready; fails when it exits first or does not answer within `timeoutMs`. */
export async function waitReady(base: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/api/ready`)).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() - t0 > timeoutMs) throw new Error("the app did not become ready");
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Serves the production build (made by app-setup.ts) once more on its own port with extra
 * settings, for tests that need a configuration the shared server does not have.
 */
export async function startApp(port: number, extraEnv: Record<string, string>) {
  const base = `http://127.0.0.1:${port}`;
  const child = spawnNextStart(port, {
    ...process.env,
    NODE_ENV: "production",
    APP_URL: base,
    NEXTAUTH_URL: base,
    STORAGE_DIR: path.join(process.env.TMPDIR ?? "/tmp", `tandem-e2e-storage-${port}`),
    LOG_LEVEL: "error",
    ...extraEnv,
  });
  await waitReady(base, child);
  return {
    base,
    async stop() {
      if (child.exitCode !== null) return;
      const done = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await done;
    },
  };
}
