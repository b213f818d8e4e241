import { describe, expect, it } from "vitest";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// The local state of the embedded setup, checked from a fresh clone in its own process: as
// root, under a parent directory only root may enter (like a clone in /root).
const asRoot = process.getuid?.() === 0;
const mode = (p: string) => statSync(p).mode & 0o777;

function runProbe(cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(
      process.execPath,
      ["--import", "./scripts/node-loader.mjs", "tests/setup/embedded-probe.ts", ".tandem"],
      {
        cwd,
        env: { ...process.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    p.stdout.on("data", (c) => (out += c));
    p.stderr.on("data", (c) => (err += c));
    p.on("exit", (code) => resolve({ code, out, err }));
  });
}

describe("local state", () => {
  it("a clone under a mode-700 directory starts its embedded database, with private state", async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), "tandem-home-"));
    expect(mode(home)).toBe(0o700);
    const clone = path.join(home, "tandem");
    execFileSync("git", ["clone", "--quiet", "--depth", "1", `file://${process.cwd()}`, clone], { stdio: "pipe" });
    // The code under test is this working tree's, so uncommitted changes are tested too.
    for (const d of ["lib", "tests/setup"]) cpSync(d, path.join(clone, d), { recursive: true });
    symlinkSync(path.resolve("node_modules"), path.join(clone, "node_modules"));
    let relocated: string | undefined;
    try {
      for (const round of [1, 2]) {
        const r = await runProbe(clone);
        expect(r.err + r.out).toMatch(/"rows":/);
        expect(r.code).toBe(0);
        const result = JSON.parse(r.out.trim().split("\n").pop()!);
        expect(result.rows).toBe(round); // the second start reuses the data of the first
        const state = path.join(clone, ".tandem");
        expect(mode(state)).toBe(asRoot ? 0o711 : 0o700);
        expect(mode(path.join(state, "secrets.json"))).toBe(0o600);
        expect(mode(path.join(state, "storage"))).toBe(0o700);
        expect(mode(result.dataDir)).toBe(0o700);
        if (asRoot) {
          const pgUid = Number(execFileSync("id", ["-u", "postgres"]).toString());
          expect(statSync(result.dataDir).uid).toBe(pgUid);
          // The parent bars the database user, so the cluster lives outside it, noted in .tandem.
          relocated = result.dataDir;
          expect(result.dataDir.startsWith(path.join(clone, ".tandem"))).toBe(false);
          expect(readFileSync(path.join(state, "pg.location"), "utf8").trim()).toBe(result.dataDir);
          // The database user cannot read Tandem's secrets.
          const peek = spawnSync("cat", [path.join(state, "secrets.json")], { uid: pgUid, gid: pgUid, stdio: "pipe" });
          expect(peek.status).not.toBe(0);
          const bin = path.join("/var/lib/tandem/pg-bin");
          expect(statSync(bin).uid).toBe(0);
          expect(mode(bin)).toBe(0o755);
        } else {
          expect(result.dataDir).toBe(path.join(clone, ".tandem", "pg"));
        }
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
      if (relocated && existsSync(relocated)) rmSync(path.dirname(relocated), { recursive: true, force: true });
    }
  }, 120_000);

  it("as root, a data directory the database user can reach stays in .tandem, owned by that user", async () => {
    // As root the premise needs a parent every user may pass: TMPDIR itself may be private.
    const home = mkdtempSync(path.join(asRoot ? "/tmp" : os.tmpdir(), "tandem-open-"));
    execFileSync("chmod", ["755", home]);
    const clone = path.join(home, "tandem");
    execFileSync("git", ["clone", "--quiet", "--depth", "1", `file://${process.cwd()}`, clone], { stdio: "pipe" });
    for (const d of ["lib", "tests/setup"]) cpSync(d, path.join(clone, d), { recursive: true });
    symlinkSync(path.resolve("node_modules"), path.join(clone, "node_modules"));
    try {
      const r = await runProbe(clone);
      expect(r.code, r.err).toBe(0);
      const result = JSON.parse(r.out.trim().split("\n").pop()!);
      expect(result.dataDir).toBe(path.join(clone, ".tandem", "pg"));
      expect(mode(result.dataDir)).toBe(0o700);
      expect(mode(path.join(clone, ".tandem"))).toBe(asRoot ? 0o711 : 0o700);
      expect(statSync(result.dataDir).uid).toBe(
        asRoot ? Number(execFileSync("id", ["-u", "postgres"]).toString()) : process.getuid!(),
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
