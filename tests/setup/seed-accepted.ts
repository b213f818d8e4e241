import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../lib/db/client";
import { decodeImage } from "../../lib/images/decode-image";
import { encodeThumbnail, encodeWorkingPng } from "../../lib/images/encode-outputs";
import { storeImage } from "../../lib/images/mutations";
import { perceptualHash } from "../../lib/images/perceptual-hash";
import type { DecodedImage } from "../../lib/images/types";
import { createMask } from "../../lib/masks/mutations";
import { key } from "../../lib/storage/keys";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { makeProject } from "./fixtures";
import { buildDicom, IMPLICIT, imageModule, nativePixels, phiDataset } from "../unit/images/helpers/dicom-builder";

// A project whose images already carry accepted masks, seeded straight into the database and
// storage (no protocol run): what an export reads. Things that must never reach an archive
// carry PHI-looking markers: original file names, a blocked image, a DICOM full of PHI.

export const PHI_NAME = "PHI-NAME-123";
export const PHI_BLOCKED = "PHI-BLOCKED-456";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Deterministic pixels for image i: a gradient with a dark ellipse per lung and some texture. */
function pixels(width: number, height: number, i: number): Uint8Array {
  const px = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const lung = ((x - width * 0.3) / (width * 0.18)) ** 2 + ((y - height * 0.5) / (height * 0.3)) ** 2 < 1;
      px[y * width + x] =
        (60 + Math.round((120 * y) / height) - (lung ? 40 : 0) + ((x * 7 + y * 13 + i * 31) % 17)) & 0xff;
    }
  }
  return px;
}

/** A blob of infection for image i, somewhere in the left lung. */
export function blobMask(width: number, height: number, i: number): Uint8Array {
  const m = new Uint8Array(width * height);
  const cx = width * (0.25 + 0.05 * (i % 3));
  const cy = height * (0.4 + 0.05 * (i % 4));
  const r = Math.max(3, Math.min(width, height) * (0.12 + 0.02 * (i % 5)));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if ((x - cx) ** 2 + ((y - cy) * 1.3) ** 2 < r * r) m[y * width + x] = 1;
  return m;
}

async function pngImage(
  projectId: string,
  i: number,
  width: number,
  height: number,
  meta: { name: string; label: "COVID" | "CONTROL"; patient: string; source: string },
) {
  const px = pixels(width, height, i);
  const workingPng = await encodeWorkingPng(px, width, height, 60);
  const decoded: DecodedImage = {
    format: "PNG",
    width,
    height,
    bitDepth: 8,
    pixels8: px,
    workingPng,
    thumbnail: await encodeThumbnail(px, width, height, 60),
    thumbnailType: "image/jpeg",
    originalBytes: workingPng,
    originalExt: "png",
    sha256: sha(Buffer.concat([workingPng, Buffer.from(projectId)])),
    pixelSha256: sha(px),
    phash: perceptualHash(px, width, height),
    flags: [],
  };
  const stored = await storeImage(projectId, decoded, {
    originalName: meta.name,
    label: meta.label,
    patientPseudonym: meta.patient,
    sourceDataset: meta.source,
  });
  return stored.id;
}

/** A DICOM with PHI in every Basic Profile attribute, imported through the real decoder. */
async function dicomImage(projectId: string, n = 0, label: "COVID" | "CONTROL" = "COVID") {
  const phi = phiDataset(String.fromCharCode(88 - n));
  const rows = 24;
  const columns = 32;
  const samples = Array.from({ length: rows * columns }, (_, i) => (i * 37 + n * 101) % 4096);
  const bytes = buildDicom(
    {
      ...phi.dataset,
      ...imageModule({ rows, columns, bitsAllocated: 16, bitsStored: 12 }),
      "00080060": { vr: "CS", Value: ["DX"] },
      "00185101": { vr: "CS", Value: ["PA"] },
    },
    // Implicit VR: the oracle DICOM of the export tests is the harder of the two encodings.
    {
      sopInstanceUid: String(phi.dataset["00080018"].Value?.[0]),
      transferSyntaxUid: IMPLICIT,
      pixelData: nativePixels(samples, 16),
    },
  );
  const decoded = await decodeImage(bytes, { pseudonymKey: process.env.PSEUDONYM_KEY!, fileName: `${PHI_NAME}.dcm` });
  const stored = await storeImage(projectId, decoded, {
    originalName: `${PHI_NAME} chest ${n}.dcm`,
    label,
    sourceDataset: "site-dicom",
  });
  // Long markers only: a short one (a 4-digit age) could turn up by chance in compressed pixels.
  const markers = [...phi.markers, ...phi.uids].filter((m) => m.length >= 8);
  return { id: stored.id, width: columns, height: rows, markers };
}

export interface SeedOptions {
  covid?: number;
  controls?: number;
  /** One more COVID image left without an accepted mask. */
  unaccepted?: boolean;
  /** One more accepted image that a lead blocked from export. */
  blocked?: boolean;
  dicom?: boolean;
  /** More DICOM images, one per source of their accepted mask (EMPTY: a control, empty by label). */
  moreDicom?: ("MACHINE" | "REDRAW" | "EMPTY")[];
  /** A finished model run (with a stand-in ONNX file) in the last round. */
  models?: boolean;
}

export type SeededImage = {
  id: string;
  width: number;
  height: number;
  label: "COVID" | "CONTROL";
  mask: Uint8Array | null;
  dicom: boolean;
};

export async function seedAcceptedProject(opts: SeedOptions = {}) {
  const fx = await makeProject();
  const projectId = fx.project.id;
  const covid = opts.covid ?? 6;
  const controls = opts.controls ?? 2;
  const r1 = await db().round.create({
    data: { projectId, number: 1, stage: "STAGE_I", status: "CLOSED", closedAt: new Date() },
  });
  const r2 = await db().round.create({
    data: { projectId, number: 2, stage: "STAGE_II", status: "CLOSED", closedAt: new Date() },
  });
  const run = await db().modelRun.create({
    data: {
      projectId,
      roundId: r2.id,
      arch: "unet",
      encoder: "densenet121",
      fold: null,
      config: { size: 224, epochs: 50, lr: 0.0001 },
      status: "SUCCEEDED",
      metrics: { dice: 0.81, f1: 0.832, sensitivity: 0.9 },
      paramCount: 1234,
    },
  });
  if (opts.models) {
    const onnx = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7 + 3) & 0xff));
    const artifactKey = key("projects", projectId, "runs", run.id, "model.onnx");
    await store().put(artifactKey, onnx);
    await db().modelRun.update({ where: { id: run.id }, data: { artifactKey, weightsSha256: sha(onnx) } });
  }

  const images: SeededImage[] = [];
  const accept = async (
    imageId: string,
    width: number,
    height: number,
    i: number,
    mask: Uint8Array | null,
    extra: { split?: "TRAIN" | "TEST"; fold?: number } = {},
  ) => {
    const kind = mask ? (["MANUAL", "MACHINE", "REDRAW"] as const)[i % 3] : "EMPTY";
    const round = kind === "MANUAL" ? r1 : kind === "EMPTY" ? null : r2;
    let maskId: string | null = null;
    if (mask) {
      const m = await db().$transaction((tx) =>
        createMask(tx, {
          projectId,
          imageId,
          kind: kind as "MANUAL" | "MACHINE" | "REDRAW",
          mask,
          width,
          height,
          roundId: round!.id,
          modelRunId: kind === "MACHINE" ? run.id : null,
          authorId: kind === "MACHINE" ? null : fx.md.id,
        }),
      );
      maskId = m.id;
      if (kind !== "REDRAW") {
        // Three votes: two for the accepted mask, one for a rival candidate.
        const rival = await db().$transaction((tx) =>
          createMask(tx, {
            projectId,
            imageId,
            kind: "MACHINE",
            mask: blobMask(width, height, i + 1),
            width,
            height,
            roundId: round!.id,
          }),
        );
        const winner = await db().candidate.create({ data: { roundId: round!.id, imageId, maskId: m.id } });
        const other = await db().candidate.create({ data: { roundId: round!.id, imageId, maskId: rival.id } });
        for (const candidateId of [winner.id, winner.id, other.id]) {
          await db().vote.create({
            data: {
              ballotId: randomUUID(),
              roundId: round!.id,
              imageId,
              voterId: fx.md.id,
              candidateId,
              durationMs: 4000,
              idempotencyKey: randomUUID(),
            },
          });
        }
      }
      await db().modelRunImage.create({ data: { runId: run.id, imageId, trained: kind !== "MACHINE" } });
    }
    await db().groundTruth.create({
      data: {
        projectId,
        imageId,
        maskId,
        roundId: round?.id ?? null,
        stage: round?.stage ?? null,
        decision: kind === "EMPTY" ? "LABEL" : kind === "REDRAW" ? "REDRAWN" : "CONSENSUS",
        sourceKind: kind,
        acceptedAt: new Date(Date.UTC(2026, 0, 1 + i)),
      },
    });
    await db().image.update({
      where: { id: imageId },
      data: { state: "ACCEPTED", split: extra.split ?? null, fold: extra.fold ?? null },
    });
  };

  for (let i = 0; i < covid; i++) {
    const [width, height] = i % 2 ? [48, 40] : [64, 56];
    const id = await pngImage(projectId, i, width, height, {
      name: `${PHI_NAME} Doe^John ${i}.png`,
      label: "COVID",
      patient: `P-TESTPATIENT${i % 4}`,
      source: i % 2 ? "site-b" : "site-a",
    });
    const mask = blobMask(width, height, i);
    if (i === 0) {
      // A superseded ground truth: only the current one may be exported.
      const old = await db().$transaction((tx) =>
        createMask(tx, {
          projectId,
          imageId: id,
          kind: "MANUAL",
          mask: new Uint8Array(width * height).fill(1),
          width,
          height,
          roundId: r1.id,
        }),
      );
      await db().groundTruth.create({
        data: {
          projectId,
          imageId: id,
          maskId: old.id,
          roundId: r1.id,
          stage: "STAGE_I",
          decision: "CONSENSUS",
          sourceKind: "MANUAL",
          isCurrent: null,
          supersededAt: new Date(),
        },
      });
    }
    await accept(id, width, height, i, mask, i === 1 ? { split: "TRAIN", fold: 3 } : {});
    images.push({ id, width, height, label: "COVID", mask, dicom: false });
  }
  for (let j = 0; j < controls; j++) {
    const i = covid + j;
    const id = await pngImage(projectId, i, 40, 32, {
      name: `${PHI_NAME} control ${j}.png`,
      label: "CONTROL",
      patient: `P-TESTCONTROL${j}`,
      source: "site-a",
    });
    await accept(id, 40, 32, i, null);
    images.push({ id, width: 40, height: 32, label: "CONTROL", mask: null, dicom: false });
  }
  let dicomMarkers: string[] = [];
  if (opts.dicom ?? true) {
    const d = await dicomImage(projectId);
    const mask = blobMask(d.width, d.height, 7);
    await accept(d.id, d.width, d.height, 99, mask);
    images.push({ id: d.id, width: d.width, height: d.height, label: "COVID", mask, dicom: true });
    dicomMarkers = d.markers;
  }
  // accept() picks the mask's source from i % 3: 100 → MACHINE, 101 → REDRAW.
  const kindIndex = { MACHINE: 100, REDRAW: 101, EMPTY: 102 } as const;
  for (const [n, kind] of (opts.moreDicom ?? []).entries()) {
    const label = kind === "EMPTY" ? "CONTROL" : "COVID";
    const d = await dicomImage(projectId, n + 1, label);
    const mask = kind === "EMPTY" ? null : blobMask(d.width, d.height, n + 3);
    await accept(d.id, d.width, d.height, kindIndex[kind], mask);
    images.push({ id: d.id, width: d.width, height: d.height, label, mask, dicom: true });
    dicomMarkers.push(...d.markers);
  }
  let unacceptedId: string | null = null;
  if (opts.unaccepted) {
    unacceptedId = await pngImage(projectId, 500, 40, 40, {
      name: `${PHI_NAME} pending.png`,
      label: "COVID",
      patient: "P-TESTPENDING",
      source: "site-a",
    });
    await db().image.update({ where: { id: unacceptedId }, data: { state: "AWAITING_VOTE" } });
  }
  let blockedId: string | null = null;
  if (opts.blocked) {
    blockedId = await pngImage(projectId, 600, 40, 40, {
      name: `${PHI_BLOCKED}.png`,
      label: "COVID",
      patient: "P-TESTBLOCKED",
      source: "site-a",
    });
    await accept(blockedId, 40, 40, 600, blobMask(40, 40, 600));
    await db().image.update({
      where: { id: blockedId },
      data: { exportBlocked: true, flags: ["burned-in-annotation"] },
    });
  }
  return {
    fx,
    projectId,
    slug: fx.project.slug,
    images,
    unacceptedId,
    blockedId,
    modelRunId: run.id,
    /** Strings that must appear nowhere in an export. */
    phiMarkers: [PHI_NAME, PHI_BLOCKED, "Doe^John", ...dicomMarkers],
  };
}

/**
 * A temporary folder with Tandem's store on local files in it (in the sub-folder `storeIn`, if
 * given) and an accepted project seeded there; `dropTempStore` undoes both.
 */
export async function seedInTempStore(prefix: string, opts: SeedOptions, storeIn = "") {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  setStoreForTests(new LocalStore(path.join(dir, storeIn)));
  return { dir, seed: await seedAcceptedProject(opts) };
}

export function dropTempStore(dir: string): void {
  setStoreForTests(undefined);
  rmSync(dir, { recursive: true, force: true });
}
