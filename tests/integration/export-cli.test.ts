import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../lib/db/client";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests } from "../../lib/storage/store";
import { readTar } from "../../lib/exports/tar-reader";
import { exportCommand } from "../../cli/commands/export";
import { seedAcceptedProject } from "../setup/seed-accepted";
import { runTandem } from "../setup/tandem-process";

let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;
const saved = { TANDEM_DATA_DIR: process.env.TANDEM_DATA_DIR };

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tandem-export-cli-"));
  process.env.TANDEM_DATA_DIR = path.join(dir, "data");
  setStoreForTests(new LocalStore(path.join(dir, "store")));
  seed = await seedAcceptedProject({ covid: 3, controls: 1, unaccepted: true, dicom: false });
}, 120_000);

afterAll(() => {
  process.env.TANDEM_DATA_DIR = saved.TANDEM_DATA_DIR;
  setStoreForTests(undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("tandem export (CLI)", () => {
  it("writes the archive to --out with a progress bar and records the export", async () => {
    const out = path.join(dir, "dataset.tar");
    const stderr: string[] = [];
    const stdout: string[] = [];
    const spies = [
      vi.spyOn(process.stderr, "write").mockImplementation((s) => (stderr.push(String(s)), true)),
      vi.spyOn(process.stdout, "write").mockImplementation((s) => (stdout.push(String(s)), true)),
    ];
    try {
      await exportCommand(["--project", seed.slug, "--out", out, "--as", seed.fx.exporter.email, "--accepted-only"]);
    } finally {
      for (const s of spies) s.mockRestore();
    }
    const progress = stderr.join("");
    expect(progress).toMatch(/export \[#{30}\] 100% 4\/4/);
    const bytes = readFileSync(out);
    const row = await db().export.findFirstOrThrow({
      where: { projectId: seed.projectId },
      orderBy: { createdAt: "desc" },
    });
    expect(row).toMatchObject({
      status: "SUCCEEDED",
      storageKey: null,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    expect(readTar(bytes).filter((e) => e.path.includes("/Images/"))).toHaveLength(4);
    expect(stdout.join("")).toContain(row.datasetVersion!);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it("writes the QaTa-COV19 v1 layout with --layout qata-cov19, and names the layouts in --help", async () => {
    const out = path.join(dir, "qata.tar");
    const withLayout = (layout: string) => [
      ...["--project", seed.slug, "--out", out, "--as", seed.fx.exporter.email],
      ...["--accepted-only", "--layout", layout],
    ];
    const stdout: string[] = [];
    const spies = [
      vi.spyOn(process.stderr, "write").mockImplementation(() => true),
      vi.spyOn(process.stdout, "write").mockImplementation((s) => (stdout.push(String(s)), true)),
    ];
    try {
      await exportCommand(["--help"]);
      await exportCommand(withLayout("qata-cov19"));
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(stdout.join("")).toMatch(/--layout tandem\|qata-cov19/);
    const paths = readTar(readFileSync(out)).map((e) => e.path);
    expect(paths.filter((p) => /^QaTa-COV19\/(Train|Test) Set\/Images\/[^/]+\.png$/.test(p))).toHaveLength(3);
    expect(paths.filter((p) => /^QaTa-COV19\/(Train|Test) Set\/Ground-truths\/mask_[^/]+\.png$/.test(p))).toHaveLength(
      3,
    );
    expect(paths.filter((p) => /^QaTa-COV19\/Control_Group\/[^/]+\.png$/.test(p))).toHaveLength(1);
    await expect(exportCommand(withLayout("qata"))).rejects.toThrow(/layout/);
  });

  it("run from another folder, writes --out there (not in the repository)", async () => {
    const caller = path.join(dir, "caller");
    mkdirSync(caller);
    const r = await runTandem(
      ["export", "--project", seed.slug, "--out", "rel.tar", "--as", seed.fx.exporter.email, "--accepted-only"],
      { cwd: caller, env: { STORAGE_DIR: path.join(dir, "store"), INIT_CWD: os.tmpdir() } },
    );
    expect({ code: r.code, stderr: r.code ? r.stderr : "" }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain(path.join(caller, "rel.tar"));
    expect(readTar(readFileSync(path.join(caller, "rel.tar"))).filter((e) => e.path.includes("/Images/"))).toHaveLength(
      4,
    );
  }, 120_000);

  it("refuses a user who is not an exporter or lead, and a selection with unaccepted images", async () => {
    const out = path.join(dir, "refused.tar");
    await expect(
      exportCommand(["--project", seed.slug, "--out", out, "--user", seed.fx.md.email, "--accepted-only"]),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      exportCommand(["--project", seed.slug, "--out", out, "--user", seed.fx.exporter.email]),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(exportCommand(["--project", seed.slug, "--out", out])).rejects.toThrow(/--as are required/);
    expect(existsSync(out)).toBe(false);
  });
});
