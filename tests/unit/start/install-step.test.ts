// `npm start`'s install step (scripts/start.sh → scripts/ensure-deps.sh → scripts/apt-install.sh)
// run for real in a throwaway git clone: npm and apt-get are replaced by recorders on PATH (the
// npm recorder still checks that `npm ci` accepts the lock file, with --dry-run), so the test
// sees exactly which installs start asks for and whether the working tree stays clean.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = process.cwd();
let dir: string;
let shims: string;
let clone: string;

const startFlags = () => {
  // The environment start.sh gives ensure-deps.sh, read from start.sh itself.
  const line = readFileSync(path.join(repo, "scripts/start.sh"), "utf8")
    .split("\n")
    .find((l) => l.includes("scripts/ensure-deps.sh"))!;
  return Object.fromEntries([...line.matchAll(/(TANDEM_\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
};

function runScript(script: string, env: Record<string, string>, args: string[] = []) {
  return spawnSync("bash", [script, ...args], {
    cwd: clone,
    env: { ...process.env, PATH: `${shims}:${process.env.PATH}`, RECORD: path.join(dir, "record"), ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}
const recorded = () =>
  existsSync(path.join(dir, "record")) ? readFileSync(path.join(dir, "record"), "utf8").trim().split("\n") : [];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tandem-install-step-"));
  shims = path.join(dir, "bin");
  mkdirSync(shims);
  const realNpm = execFileSync("bash", ["-c", "command -v npm"], { encoding: "utf8" }).trim();
  writeFileSync(
    path.join(shims, "npm"),
    `#!/usr/bin/env bash\necho "npm $*" >> "$RECORD"\nif [ "$1" = ci ]; then "${realNpm}" "$@" --dry-run --ignore-scripts --prefer-offline && mkdir -p node_modules; exit; fi\nexec "${realNpm}" "$@"\n`,
  );
  writeFileSync(path.join(shims, "apt-get"), `#!/usr/bin/env bash\necho "apt-get $*" >> "$RECORD"\n`);
  // A Python without any package: every `import` check fails, so ensure-deps asks for all it wants.
  writeFileSync(path.join(shims, "bare-python"), "#!/usr/bin/env bash\nexit 1\n");
  for (const f of ["npm", "apt-get", "bare-python"]) chmodSync(path.join(shims, f), 0o755);

  clone = path.join(dir, "clone");
  mkdirSync(path.join(clone, "scripts"), { recursive: true });
  for (const f of [
    "package.json",
    "package-lock.json",
    ".gitignore",
    "scripts/start.sh",
    "scripts/ensure-deps.sh",
    "scripts/apt-install.sh",
  ])
    copyFileSync(path.join(repo, f), path.join(clone, f));
  const git = (...a: string[]) =>
    execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...a], { cwd: clone });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "clone");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm start's install step", () => {
  it("installs npm packages with npm ci and leaves the working tree clean", () => {
    rmSync(path.join(dir, "record"), { force: true });
    const r = runScript("scripts/ensure-deps.sh", { ...startFlags(), TANDEM_NEED_TORCH: "0" });
    expect(r.status, r.stderr).toBe(0);
    const npm = recorded().filter((l) => l.startsWith("npm "));
    expect(npm).toHaveLength(1);
    expect(npm[0]).toMatch(/^npm ci\b/);
    const status = execFileSync("git", ["status", "--porcelain"], { cwd: clone, encoding: "utf8" });
    expect(status).toBe("");
  });

  it("asks apt only for what the product needs; the test command adds the test tools", () => {
    rmSync(path.join(dir, "record"), { force: true });
    const start = runScript("scripts/ensure-deps.sh", {
      ...startFlags(),
      TANDEM_PYTHON: path.join(shims, "bare-python"),
    });
    expect(start.status, start.stderr).toBe(0);
    const startInstall = recorded().find((l) => l.startsWith("apt-get") && l.includes(" install "))!;
    expect(startInstall).toContain("python3-torch");
    for (const testOnly of ["python3-pytest", "python3-onnx", "chromium", "dcmtk", "dicom3tools"])
      expect(startInstall).not.toContain(testOnly);

    rmSync(path.join(dir, "record"), { force: true });
    const test = runScript("scripts/ensure-deps.sh", {
      TANDEM_NEED_TEST_TOOLS: "1",
      TANDEM_PYTHON: path.join(shims, "bare-python"),
    });
    expect(test.status, test.stderr).toBe(0);
    const testInstall = recorded().find((l) => l.startsWith("apt-get") && l.includes(" install "))!;
    expect(testInstall).toContain("python3-pytest");
    expect(testInstall).toContain("python3-onnx");
  });

  it("waits for another package manager's lock, saying what it waits for and what it installs", async () => {
    rmSync(path.join(dir, "record"), { force: true });
    // A process named dpkg holds "the lock" for two seconds.
    const holder = path.join(dir, "dpkg");
    copyFileSync(execFileSync("bash", ["-c", "command -v sleep"], { encoding: "utf8" }).trim(), holder);
    chmodSync(holder, 0o755);
    const dpkg = spawn(holder, ["2"], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const c = spawn("bash", ["scripts/apt-install.sh", "python3-torch"], {
        cwd: clone,
        env: { ...process.env, PATH: `${shims}:${process.env.PATH}`, RECORD: path.join(dir, "record") },
      });
      let stderr = "";
      c.stderr.on("data", (d) => (stderr += d));
      c.on("exit", (status) => resolve({ status, stderr }));
    });
    const waited = Date.now() - t0;
    dpkg.kill();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/waiting for the package lock to install python3-torch/);
    expect(r.stderr).toContain("dpkg");
    expect(waited).toBeGreaterThan(1000);
    const apt = recorded();
    expect(apt.every((l) => l.includes("-o DPkg::Lock::Timeout="))).toBe(true);
    expect(apt.some((l) => l.includes("install") && l.includes("python3-torch"))).toBe(true);
  });
});
