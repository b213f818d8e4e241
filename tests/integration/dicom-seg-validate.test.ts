import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../lib/db/client";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { DicomMessage } from "../../lib/images/dicom/dcmjs";
import { requestExport } from "../../lib/exports/mutations";
import { runExport } from "../../lib/exports/run-export";
import { readTar } from "../../lib/exports/tar-reader";
import { unpackBits } from "../../lib/exports/dicom-seg";
import { seedAcceptedProject } from "../setup/seed-accepted";

// Every exported DICOM Segmentation is checked by dicom3tools' dciodvfy, an independent validator
// of the Segmentation IOD: no line it prints may be an error (warnings are listed, not failed).

let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;
let files: Map<string, Buffer>;

type Ds = Record<string, { Value?: unknown[] }>;
const value = (ds: Ds, tag: string) => ds[tag]?.Value?.[0];
const item = (ds: Ds, tag: string) => ds[tag]?.Value?.[0] as Ds;

function dciodvfy(file: string): { errors: string[]; warnings: string[]; output: string } {
  const r = spawnSync("dciodvfy", [file], { encoding: "utf8" });
  if (r.error) throw new Error(`dciodvfy could not run (install Debian dicom3tools): ${r.error.message}`);
  const output = `${r.stdout}${r.stderr}`;
  const lines = output.split("\n");
  return { errors: lines.filter((l) => /^Error/.test(l)), warnings: lines.filter((l) => /^Warning/.test(l)), output };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tandem-seg-validate-"));
  setStoreForTests(new LocalStore(path.join(dir, "store")));
  seed = await seedAcceptedProject({
    covid: 2,
    controls: 1,
    dicom: true,
    moreDicom: ["MACHINE", "REDRAW", "EMPTY"],
    models: true,
  });
  const { exportId } = await requestExport(seed.fx.exporter.actor, seed.projectId, {});
  await runExport(exportId);
  const row = await db().export.findUniqueOrThrow({ where: { id: exportId } });
  const entries = readTar(await store().get(row.storageKey!));
  const root = entries[0].path.split("/")[0];
  files = new Map(entries.map((e) => [e.path.slice(root.length + 1), Buffer.from(e.data)]));
}, 180_000);

afterAll(() => {
  setStoreForTests(undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("DICOM-SEG exports pass dciodvfy", () => {
  it("reports no error on the segmentation of every DICOM image, with and without a mask", () => {
    const dicoms = seed.images.filter((i) => i.dicom);
    expect(dicoms.map((i) => (i.mask ? "mask" : "empty")).sort()).toEqual(["empty", "mask", "mask", "mask"]);
    const report: string[] = [];
    for (const img of dicoms) {
      const seg = files.get(`DICOM-SEG/${img.id}.dcm`);
      expect(seg, `DICOM-SEG/${img.id}.dcm`).toBeDefined();
      const file = path.join(dir, `${img.id}.seg.dcm`);
      writeFileSync(file, seg!);
      const r = dciodvfy(file);
      expect(r.output).toMatch(/Segmentation/); // it recognised the IOD it checked
      expect(r.errors, r.output).toEqual([]);
      report.push(
        `${img.id}: ${r.errors.length} errors, ${r.warnings.length} warnings${r.warnings.length ? `\n  ${r.warnings.join("\n  ")}` : ""}`,
      );
    }
    console.log(`dciodvfy on ${dicoms.length} DICOM-SEG files:\n${report.join("\n")}`);
  });

  it("describes each segment by the true source of its mask", async () => {
    const run = await db().modelRun.findUniqueOrThrow({ where: { id: seed.modelRunId } });
    const gts = await db().groundTruth.findMany({
      where: { projectId: seed.projectId, isCurrent: true },
      select: { imageId: true, sourceKind: true },
    });
    const kindOf = new Map(gts.map((g) => [g.imageId, g.sourceKind]));
    const seen = new Set<string>();
    for (const img of seed.images.filter((i) => i.dicom)) {
      const ds = DicomMessage.readFile(new Uint8Array(files.get(`DICOM-SEG/${img.id}.dcm`)!).buffer).dict as Ds;
      const segment = item(ds, "00620002");
      const kind = kindOf.get(img.id)!;
      seen.add(kind);
      expect(ds["00200020"], "Patient Orientation present (Type 2C)").toBeDefined();
      const creator = value(ds, "00700084") as { Alphabetic?: string };
      expect(creator.Alphabetic).toBe("Tandem^");
      const type = value(segment, "00620008");
      const name = String(value(segment, "00620009") ?? "");
      if (kind === "MANUAL" || kind === "REDRAW") {
        expect(type).toBe("MANUAL");
        expect(segment["00620009"]).toBeUndefined();
      } else if (kind === "MACHINE") {
        expect(type).toBe("AUTOMATIC");
        expect(name).toContain(`${run.arch}/${run.encoder}`);
        const algo = item(segment, "00620007");
        expect(value(algo, "00660036")).toBe(`${run.arch}/${run.encoder}`);
        expect(value(algo, "00660031")).toBe(run.weightsSha256);
        expect(value(item(algo, "0066002F"), "00080100")).toBe("123110");
        expect(String(value(algo, "00660032"))).toContain("fold=none");
      } else {
        expect(kind).toBe("EMPTY");
        expect(type).not.toBe("MANUAL");
        expect(name).toMatch(/label/i);
        expect(String(value(segment, "00620006"))).toMatch(/empty/i);
        const frame = (ds["7FE00010"]?.Value?.[0] as ArrayBuffer) ?? new ArrayBuffer(0);
        expect(unpackBits(new Uint8Array(frame), img.width * img.height).every((b) => b === 0)).toBe(true);
      }
    }
    expect([...seen].sort()).toEqual(["EMPTY", "MACHINE", "MANUAL", "REDRAW"]);
  });
});
