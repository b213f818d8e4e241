import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The echo click model (workers/trainer/tools/interactive_echo_model.py) at `size`: same inputs
 * and output as a trained one, its proposal the click disks themselves, so a test knows exactly
 * what a click gives. Returns the ONNX bytes and the folder they were written to.
 */
export function echoClickModel(size: number): { bytes: Uint8Array; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-echo-"));
  const r = spawnSync(
    process.env.PYTHON ?? "/usr/bin/python3",
    ["-m", "tools.interactive_echo_model", String(size), dir],
    {
      cwd: path.resolve("workers/trainer"),
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return { bytes: new Uint8Array(readFileSync(path.join(dir, "interactive.onnx"))), dir };
}
