// `npx tandem …` as a user runs it: a separate process started from any folder (bin/tandem.mjs,
// which then works from the repository root).
import { spawn } from "node:child_process";
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "../..");

export type TandemRun = { code: number | null; stdout: string; stderr: string };

export function runTandem(argv: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<TandemRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "bin", "tandem.mjs"), ...argv], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
