import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../lib/db/client";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { requestExport } from "../../lib/exports/mutations";
import { runExport } from "../../lib/exports/run-export";
import { seedAcceptedProject } from "../setup/seed-accepted";

// A loader written from the public description of the QaTa-COV19 release, not from Tandem's
// exporter: QaTa-COV19/{Train Set,Test Set}/Images/<name>.png, each with its mask at
// <set>/Ground-truths/mask_<name>.png, and control images in QaTa-COV19/Control_Group/ (no mask
// file: a control has no infection). It runs as Python/PIL code for QaTa-COV19 would.
const QATA_LOADER = String.raw`
import json, os, sys
import numpy as np
from PIL import Image

root = os.path.join(sys.argv[1], "QaTa-COV19")
out = []
for split in ("Train Set", "Test Set"):
    images = os.path.join(root, split, "Images")
    for f in sorted(os.listdir(images)):
        img = np.array(Image.open(os.path.join(images, f)))
        mask = np.array(Image.open(os.path.join(root, split, "Ground-truths", "mask_" + f)))
        assert mask.shape == img.shape[:2], f
        out.append({"name": f[:-4], "set": split, "group": "covid", "w": img.shape[1], "h": img.shape[0],
                    "mask": "".join("1" if v else "0" for v in (mask > 127).ravel())})
control = os.path.join(root, "Control_Group")
for f in sorted(os.listdir(control)):
    img = np.array(Image.open(os.path.join(control, f)))
    out.append({"name": f[:-4], "set": None, "group": "control", "w": img.shape[1], "h": img.shape[0],
                "mask": "0" * (img.shape[0] * img.shape[1])})
print(json.dumps(out))
`;

type Loaded = { name: string; set: string | null; group: "covid" | "control"; w: number; h: number; mask: string };

let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;
let loaded: Loaded[];
let readme: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tandem-qata-layout-"));
  setStoreForTests(new LocalStore(path.join(dir, "store")));
  seed = await seedAcceptedProject({ covid: 5, controls: 2, dicom: true });
  // One image pinned to the test split, so both sets are exercised.
  await db().image.update({ where: { id: seed.images[0].id }, data: { split: "TEST" } });
  const { exportId } = await requestExport(seed.fx.exporter.actor, seed.projectId, { layout: "qata-cov19" });
  await runExport(exportId);
  const row = await db().export.findUniqueOrThrow({ where: { id: exportId } });
  const tar = path.join(dir, "export.tar");
  writeFileSync(tar, await store().get(row.storageKey!));
  const out = path.join(dir, "out");
  mkdirSync(out);
  const x = spawnSync("tar", ["-xf", tar, "-C", out], { encoding: "utf8" });
  expect(x.status, x.stderr).toBe(0);
  const r = spawnSync("/usr/bin/python3", ["-c", QATA_LOADER, out], { encoding: "utf8", maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  loaded = JSON.parse(r.stdout);
  readme = spawnSync("cat", [path.join(out, "QaTa-COV19", "README.md")], { encoding: "utf8" }).stdout;
}, 180_000);

afterAll(() => {
  setStoreForTests(undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("QaTa-COV19 v1 layout", () => {
  it("lets a QaTa-COV19 loader find every exported image with its own mask", () => {
    expect(loaded.map((l) => l.name).sort()).toEqual(seed.images.map((i) => i.id).sort());
    for (const img of seed.images) {
      const got = loaded.find((l) => l.name === img.id)!;
      expect(got.group).toBe(img.label === "CONTROL" ? "control" : "covid");
      expect([got.w, got.h]).toEqual([img.width, img.height]);
      const want = img.mask
        ? Array.from(img.mask, (v) => (v ? "1" : "0")).join("")
        : "0".repeat(img.width * img.height);
      expect(got.mask, `mask of ${img.id}`).toBe(want);
      expect(want.includes("1")).toBe(img.mask !== null);
    }
    const sets = new Set(loaded.filter((l) => l.group === "covid").map((l) => l.set));
    expect(sets).toEqual(new Set(["Train Set", "Test Set"]));
    expect(loaded.find((l) => l.name === seed.images[0].id)!.set).toBe("Test Set");
  });

  it("says in its datasheet which layout it follows", () => {
    expect(readme).toContain("QaTa-COV19 v1 layout (layout option `qata-cov19`)");
    expect(readme).toContain("Train Set/Ground-truths/mask_<name>.png");
    expect(readme).not.toContain("Tandem flat layout");
  });

  it("keeps the Tandem flat layout as the default, named as such", async () => {
    const { exportId } = await requestExport(seed.fx.exporter.actor, seed.projectId, {});
    await runExport(exportId);
    const row = await db().export.findUniqueOrThrow({ where: { id: exportId } });
    expect((row.options as { layout: string }).layout).toBe("tandem");
    const tar = path.join(dir, "flat.tar");
    writeFileSync(tar, await store().get(row.storageKey!));
    const list = spawnSync("tar", ["-tf", tar], { encoding: "utf8" }).stdout.split("\n");
    const root = `tandem-${seed.slug}`;
    for (const img of seed.images) {
      expect(list).toContain(`${root}/Images/${img.id}.png`);
      expect(list).toContain(`${root}/Ground-truths/${img.id}.png`);
    }
    const sheet = spawnSync("tar", ["-xOf", tar, `${root}/README.md`], { encoding: "utf8" }).stdout;
    expect(sheet).toContain("Tandem flat layout (layout option `tandem`)");
    expect(sheet).not.toContain("QaTa-COV19 v1 layout (");
  });

  it("refuses an unknown layout with a message naming the option", async () => {
    await expect(requestExport(seed.fx.exporter.actor, seed.projectId, { layout: "qata" })).rejects.toThrow(/layout/);
  });
});
