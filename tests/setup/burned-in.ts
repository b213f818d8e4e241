import { expect } from "vitest";
import { db } from "../../lib/db/client";
import { decodeImage } from "../../lib/images/decode-image";
import { storeImage } from "../../lib/images/mutations";
import { buildDicom, imageModule, nativePixels } from "../unit/images/helpers/dicom-builder";

/**
 * 12-bit samples: a textured gradient with bright blocks in the top-left corner standing in for
 * burned-in text (a name and a date stamped on the film).
 */
export function burnedInSamples(rows: number, columns: number, n: number): number[] {
  return Array.from({ length: rows * columns }, (_, i) => {
    const x = i % columns;
    const y = Math.floor(i / columns);
    const text =
      y >= rows * 0.05 &&
      y < rows * 0.12 &&
      x >= columns * 0.04 &&
      x < columns * 0.45 &&
      Math.floor(x / Math.max(2, columns / 40)) % 3 !== 2;
    return text ? 4095 : 400 + Math.round((2400 * y) / rows) + ((i * 29 + n * 131) % 300);
  });
}

/**
 * A DICOM flagged for burned-in text (Burned In Annotation YES, or a secondary-capture SOP
 * class), imported through the real decoder and accepted with the empty mask of a control.
 */
export async function importBurnedInDicom(
  projectId: string,
  n: number,
  opts: { burnedIn?: boolean; sopClassUid?: string; rows?: number; columns?: number } = {},
) {
  const rows = opts.rows ?? 40;
  const columns = opts.columns ?? 48;
  const samples = burnedInSamples(rows, columns, n);
  const bytes = buildDicom(
    {
      ...imageModule({ rows, columns, bitsAllocated: 16, bitsStored: 12 }),
      "00080060": { vr: "CS", Value: ["DX"] },
      "0020000D": { vr: "UI", Value: [`1.2.826.0.1.3680043.10.543.78.${n}`] },
      "0020000E": { vr: "UI", Value: [`1.2.826.0.1.3680043.10.543.79.${n}`] },
      ...(opts.burnedIn ? { "00280301": { vr: "CS", Value: ["YES"] } } : {}),
    },
    {
      sopClassUid: opts.sopClassUid,
      sopInstanceUid: `1.2.826.0.1.3680043.10.543.77.${n}`,
      pixelData: nativePixels(samples, 16),
    },
  );
  const decoded = await decodeImage(bytes, { pseudonymKey: process.env.PSEUDONYM_KEY!, fileName: `burned-${n}.dcm` });
  expect(decoded.flags).toContain("burned-in-annotation");
  const { id } = await storeImage(projectId, decoded, {
    originalName: `burned ${n}.dcm`,
    label: "CONTROL",
    sourceDataset: "site-burned",
  });
  await db().groundTruth.create({
    data: {
      projectId,
      imageId: id,
      maskId: null,
      decision: "LABEL",
      sourceKind: "EMPTY",
      acceptedAt: new Date(Date.UTC(2026, 1, n)),
    },
  });
  await db().image.update({ where: { id }, data: { state: "ACCEPTED" } });
  return { id, samples, rows, columns };
}
