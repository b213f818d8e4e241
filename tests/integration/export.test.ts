import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../lib/db/client";
import { store } from "../../lib/storage/store";
import { decodeMaskPng } from "../../lib/masks/png-codec";
import { decodeRle, decompressRle } from "../../lib/masks/rle";
import { DicomMessage } from "../../lib/images/dicom/dcmjs";
import { requestExport } from "../../lib/exports/mutations";
import { getExportForActor, listExports } from "../../lib/exports/queries";
import { readTar, type TarEntry } from "../../lib/exports/tar-reader";
import { unpackBits, SEGMENTATION_STORAGE } from "../../lib/exports/dicom-seg";
import { exportHandler } from "../../workers/handlers/export";
import { makeUser } from "../setup/fixtures";
import { dropTempStore, seedAcceptedProject, PHI_NAME, seedInTempStore } from "../setup/seed-accepted";

let dir: string;
let seed: Awaited<ReturnType<typeof seedAcceptedProject>>;

/** Runs the export job in-process, as a worker would, and returns the stored archive. */
async function build(options: Record<string, unknown>) {
  const r = await requestExport(seed.fx.exporter.actor, seed.projectId, options);
  const reports: Record<string, unknown>[] = [];
  const job = await db().job.findUniqueOrThrow({ where: { singletonKey: `export:${r.exportId}` } });
  await exportHandler({
    jobId: job.id,
    attempt: 1,
    payload: { exportId: r.exportId },
    signal: new AbortController().signal,
    progress: async (p) => void reports.push(p),
  });
  const row = await db().export.findUniqueOrThrow({ where: { id: r.exportId } });
  return { row, bytes: await store().get(row.storageKey!), reports };
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const pngSize = (b: Buffer) => ({ width: b.readUInt32BE(16), height: b.readUInt32BE(20) });

function byPath(entries: TarEntry[]) {
  const root = entries[0].path.split("/")[0];
  return { root, files: new Map(entries.map((e) => [e.path.slice(root.length + 1), e.data])) };
}

beforeAll(async () => {
  ({ dir, seed } = await seedInTempStore("tandem-export-test-", {
    covid: 6,
    controls: 2,
    unaccepted: true,
    blocked: true,
    dicom: true,
    models: true,
  }));
}, 120_000);

afterAll(() => dropTempStore(dir));

describe("dataset export: who may export, and what", () => {
  it("refuses an MD (FORBIDDEN) and an outsider (NOT_FOUND), and records nothing", async () => {
    const before = await db().export.count({ where: { projectId: seed.projectId } });
    await expect(requestExport(seed.fx.md.actor, seed.projectId, { acceptedOnly: true })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const outsider = await makeUser();
    await expect(requestExport(outsider.actor, seed.projectId, { acceptedOnly: true })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(listExports(seed.fx.md.actor, seed.projectId)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await db().export.count({ where: { projectId: seed.projectId } })).toBe(before);
  });

  it("refuses while a chosen image has no accepted mask, unless asked for accepted only", async () => {
    await expect(requestExport(seed.fx.exporter.actor, seed.projectId, {})).rejects.toMatchObject({
      code: "CONFLICT",
      details: { unaccepted: 1 },
    });
    // a filter that leaves the pending image out needs no "accepted only"
    const controls = await requestExport(seed.fx.lead.actor, seed.projectId, { labels: ["CONTROL"] });
    expect(controls.counts).toEqual({ chosen: 2, blocked: 0, heldBack: 0, unaccepted: 0 });
  });

  it("refuses unknown options rather than ignoring them", async () => {
    await expect(
      requestExport(seed.fx.exporter.actor, seed.projectId, { acceptedOnly: true, includePhi: true }),
    ).rejects.toThrow();
  });
});

describe("dataset export: the archive", () => {
  let first: Awaited<ReturnType<typeof build>>;
  let entries: TarEntry[];
  let files: Map<string, Buffer>;
  let root: string;
  const accepted = () => seed.images;

  beforeAll(async () => {
    first = await build({ acceptedOnly: true, includeModels: true });
    entries = readTar(first.bytes);
    ({ root, files } = byPath(entries));
  }, 120_000);

  it("records the result on the export and reports progress to the end", async () => {
    expect(first.row.status).toBe("SUCCEEDED");
    expect(first.row.sha256).toBe(sha(first.bytes));
    expect(Number(first.row.sizeBytes)).toBe(first.bytes.length);
    expect(first.row.fileCount).toBe(entries.length);
    expect(first.row.datasetVersion).toMatch(/^[0-9a-f]{64}$/);
    expect(first.reports.at(-1)).toMatchObject({
      phase: "done",
      done: accepted().length + 1,
      total: accepted().length + 1,
    });
    const view = await getExportForActor(seed.fx.exporter.actor, first.row.id);
    expect(view).toMatchObject({ status: "SUCCEEDED", downloadable: true, sizeBytes: first.bytes.length });
  });

  it("is a deterministic ustar: fixed mtime, owner and mode under one folder", () => {
    expect(root).toBe(`tandem-${seed.slug}`);
    for (const e of entries)
      expect([e.path.startsWith(`${root}/`), e.mtime, e.uid, e.gid, e.mode]).toEqual([true, 0, 0, 0, 0o644]);
    expect(first.bytes.length % 10240).toBe(0);
  });

  it("holds every accepted image with its mask under the same name and size, nothing else", async () => {
    const names = [...files.keys()]
      .filter((p) => p.startsWith("Images/"))
      .map((p) => p.slice("Images/".length, -4))
      .sort();
    expect(names).toEqual(
      accepted()
        .map((i) => i.id)
        .sort(),
    );
    for (const img of accepted()) {
      const image = files.get(`Images/${img.id}.png`)!;
      const mask = files.get(`Ground-truths/${img.id}.png`)!;
      expect(pngSize(image)).toEqual({ width: img.width, height: img.height });
      expect(pngSize(mask)).toEqual({ width: img.width, height: img.height });
      const decoded = await decodeMaskPng(mask);
      expect(
        Buffer.from(decoded.mask).equals(Buffer.from(img.mask ?? new Uint8Array(img.width * img.height))),
        img.id,
      ).toBe(true);
    }
    const all = [...files.keys()].join("\n");
    expect(all).not.toContain(seed.blockedId!);
    expect(all).not.toContain(seed.unacceptedId!);
  });

  it("verifies against its manifest, which lists every other file", () => {
    const manifest = files.get("MANIFEST.sha256")!.toString("utf8").trim().split("\n");
    const listed = new Map(manifest.map((l) => [l.slice(66), l.slice(0, 64)]));
    expect([...listed.keys()].sort()).toEqual([...files.keys()].filter((p) => p !== "MANIFEST.sha256").sort());
    for (const [p, h] of listed) expect(sha(files.get(p)!), p).toBe(h);
  });

  it("has COCO RLE that decodes to exactly the PNG masks", async () => {
    const coco = JSON.parse(files.get("annotations/coco.json")!.toString("utf8"));
    expect(coco.info.version).toBe(first.row.datasetVersion);
    expect(coco.categories).toEqual([{ id: 1, name: "COVID-19 infection", supercategory: "lung opacity" }]);
    expect(coco.images).toHaveLength(accepted().length);
    for (const im of coco.images) {
      const png = await decodeMaskPng(files.get(`Ground-truths/${im.file_name}`)!);
      const anns = coco.annotations.filter((a: { image_id: number }) => a.image_id === im.id);
      const fromRle = anns.length
        ? decodeRle(decompressRle(anns[0].segmentation))
        : new Uint8Array(im.width * im.height);
      expect(anns.length).toBeLessThanOrEqual(1);
      expect(Buffer.from(fromRle).equals(Buffer.from(png.mask)), im.file_name).toBe(true);
      if (anns.length) expect(anns[0].area).toBe(png.mask.reduce((s: number, v: number) => s + v, 0));
    }
  });

  it("has a metadata row per image with pseudonym, split, fold, round, winner, votes and agreement", () => {
    const [header, ...rows] = files.get("metadata.csv")!.toString("utf8").trim().split("\n");
    const cols = header.split(",");
    const table = rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [cols[i], v])));
    expect(table).toHaveLength(accepted().length);
    const byId = new Map(table.map((r) => [r.tandem_image_id, r]));
    const covid0 = byId.get(accepted()[0].id)!;
    expect(covid0).toMatchObject({
      patient: "P-TESTPATIENT0",
      label: "COVID",
      winner: "MANUAL",
      stage: "STAGE_I",
      round: "1",
      votes: "3",
      agreement: "0.667",
    });
    expect(byId.get(accepted()[1].id)).toMatchObject({
      winner: "MACHINE",
      model: "unet/densenet121",
      split: "TRAIN",
      split_source: "recorded",
      fold: "4",
      round: "2",
    });
    expect(byId.get(accepted()[2].id)).toMatchObject({
      winner: "REDRAW",
      decision: "REDRAWN",
      votes: "0",
      agreement: "",
    });
    const control = accepted().find((i) => i.label === "CONTROL")!;
    expect(byId.get(control.id)).toMatchObject({ winner: "EMPTY", decision: "LABEL", mask_area: "0", stage: "" });
    for (const r of table) expect(["TRAIN", "TEST"]).toContain(r.split);
    const train = files.get("splits/train.txt")!.toString().trim().split("\n").filter(Boolean);
    const test = files.get("splits/test.txt")!.toString().trim().split("\n").filter(Boolean);
    expect([...train, ...test].sort()).toEqual(
      accepted()
        .map((i) => i.id)
        .sort(),
    );
    // one patient, one split
    const splitOf = new Map<string, Set<string>>();
    for (const r of table) if (r.patient) splitOf.set(r.patient, (splitOf.get(r.patient) ?? new Set()).add(r.split));
    for (const s of splitOf.values()) expect(s.size).toBe(1);
  });

  it("has a datasheet with counts, the protocol, the shares and the citation", () => {
    const readme = files.get("README.md")!.toString("utf8");
    expect(readme).toContain(`Dataset version: \`${first.row.datasetVersion}\``);
    expect(readme).toMatch(/\| Images, each with its ground-truth mask \| 9 \|/);
    expect(readme).toMatch(/\| Left out: blocked from export \(e\.g\. burned-in annotations\) \| 1 \|/);
    expect(readme).toMatch(/\| Left out: no accepted mask yet \| 1 \|/);
    expect(readme).toMatch(/\| a network \(machine candidate chosen by MDs\) \| 2 \| 28\.6% \|/);
    expect(readme).toContain("doi     = {10.1007/s13755-021-00146-8}");
  });

  it("writes a DICOM-SEG for the DICOM image that re-reads to the mask's pixels and points at its source", () => {
    const img = accepted().find((i) => i.dicom)!;
    const seg = files.get(`DICOM-SEG/${img.id}.dcm`)!;
    const source = files.get(`DICOM/${img.id}.dcm`)!;
    const ab = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    const s = DicomMessage.readFile(ab(seg)).dict;
    const src = DicomMessage.readFile(ab(source)).dict;
    const v = (ds: typeof s, tag: string) => ds[tag]?.Value?.[0];
    expect(v(s, "00080016")).toBe(SEGMENTATION_STORAGE);
    expect(v(s, "00080060")).toBe("SEG");
    expect(v(s, "00620001")).toBe("BINARY");
    expect([v(s, "00280010"), v(s, "00280011"), v(s, "00280100")]).toEqual([img.height, img.width, 1]);
    expect(v(s, "0020000D")).toBe(v(src, "0020000D"));
    expect(v(s, "00100020")).toBe(v(src, "00100020"));
    const segment = v(s, "00620002") as Record<string, { Value: unknown[] }>;
    expect(segment["00620005"].Value[0]).toBe("COVID-19 infection");
    const perFrame = v(s, "52009230") as Record<
      string,
      { Value: Record<string, { Value: Record<string, { Value: unknown[] }>[] }>[] }
    >;
    const sourceRef = perFrame["00089124"].Value[0]["00082112"].Value[0];
    expect(sourceRef["00081155"].Value[0]).toBe(v(src, "00080018"));
    const bits = new Uint8Array(v(s, "7FE00010") as ArrayBuffer);
    expect(Buffer.from(unpackBits(bits, img.width * img.height)).equals(Buffer.from(img.mask!))).toBe(true);
  });

  it("includes the model with a model card", () => {
    const onnx = [...files.keys()].find((p) => p.endsWith("model.onnx"))!;
    expect(onnx).toMatch(/^models\/r2-unet-densenet121-all\/model\.onnx$/);
    expect(files.get(onnx)!.length).toBe(70_000);
    const card = files.get(onnx.replace("model.onnx", "MODEL_CARD.md"))!.toString();
    expect(card).toContain("| Architecture | unet |");
    expect(card).toContain("| Encoder | densenet121 |");
    expect(card).toMatch(/\| f1 \| 0\.832 \|/);
    // the seed trains the run on every mask that is not its own prediction, the blocked image's included
    const trained = [
      ...seed.images.filter((i, n) => i.mask && (i.dicom || n % 3 !== 1)).map((i) => i.id),
      seed.blockedId!,
    ].sort();
    expect(card).toContain(`| Training images | ${trained.length} |`);
    expect(card).toContain(`| Training data version | ${sha(Buffer.from(trained.map((id) => `${id}\n`).join("")))} |`);
  });

  it("extracts with tar(1) and passes sha256sum -c", () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "tandem-export-x-"));
    try {
      const file = path.join(out, "dataset.tar");
      writeFileSync(file, first.bytes);
      const x = spawnSync("tar", ["-xf", file, "-C", out], { encoding: "utf8" });
      expect(x.status, x.stderr).toBe(0);
      const check = spawnSync("sha256sum", ["--quiet", "-c", "MANIFEST.sha256"], {
        cwd: path.join(out, root),
        encoding: "utf8",
      });
      expect(check.status, check.stdout + check.stderr).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("carries no PHI: no original names, no DICOM identifiers, nothing from the blocked image", async () => {
    // the markers are really there to leak: in the database and in the sources the export read
    const names = await db().image.findMany({ where: { projectId: seed.projectId }, select: { originalName: true } });
    expect(names.every((n) => n.originalName.includes(PHI_NAME) || n.originalName.includes("PHI-BLOCKED"))).toBe(true);
    const leaked = seed.phiMarkers.filter((m) => first.bytes.includes(Buffer.from(m, "latin1")));
    expect(leaked).toEqual([]);
  });

  it("is byte-identical when exported again from the same state", async () => {
    const again = await build({ includeModels: true, acceptedOnly: true });
    expect(again.row.id).not.toBe(first.row.id);
    expect(again.row.datasetVersion).toBe(first.row.datasetVersion);
    expect(again.row.sha256).toBe(first.row.sha256);
    expect(again.bytes.equals(first.bytes)).toBe(true);
  });

  it("gives another dataset version for another selection", async () => {
    const controls = await build({ labels: ["CONTROL"] });
    expect(controls.row.datasetVersion).not.toBe(first.row.datasetVersion);
    const { files: f } = byPath(readTar(controls.bytes));
    expect([...f.keys()].filter((p) => p.startsWith("Images/"))).toHaveLength(2);
  });

  it("audits the request and the completion", async () => {
    const actions = await db().auditLog.findMany({
      where: { objectId: first.row.id },
      select: { action: true, actorId: true },
    });
    expect(actions).toEqual(
      expect.arrayContaining([
        { action: "export.request", actorId: seed.fx.exporter.id },
        { action: "export.complete", actorId: null },
      ]),
    );
  });
});

describe("dataset export: failures", () => {
  it("fails for good, leaving no archive, when a stored mask no longer matches its checksum", async () => {
    const broken = await seedAcceptedProject({ covid: 2, controls: 0, dicom: false });
    const gt = await db().groundTruth.findFirstOrThrow({ where: { imageId: broken.images[1].id, isCurrent: true } });
    const mask = await db().mask.findUniqueOrThrow({ where: { id: gt.maskId! } });
    await store().put(mask.storageKey, Buffer.from("not the accepted mask"));
    const { exportId } = await requestExport(broken.fx.exporter.actor, broken.projectId, {});
    const run = exportHandler({
      jobId: "-",
      attempt: 1,
      payload: { exportId },
      signal: new AbortController().signal,
      progress: async () => undefined,
    });
    await expect(run).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/does not match its recorded SHA-256/),
    });
    const row = await db().export.findUniqueOrThrow({ where: { id: exportId } });
    expect(row).toMatchObject({ status: "FAILED", storageKey: null, sha256: null });
    const left: string[] = [];
    for await (const k of store().list(`projects/${broken.projectId}/exports/`)) left.push(k);
    expect(left).toEqual([]);
  });
});
