import { describe, expect, it } from "vitest";
import { COCO_CATEGORY, cocoAnnotation, cocoImage } from "../../../lib/exports/coco";
import { METADATA_COLUMNS, metadataHeader, metadataRow } from "../../../lib/exports/metadata-csv";
import type { ExportItem } from "../../../lib/exports/types";

// COCO entries and metadata rows are written as text templates, not built as objects and
// serialised: they must stay byte for byte what JSON.stringify and a generic CSV writer give,
// escapes and quoting included.

const item = (o: Partial<ExportItem> = {}): ExportItem => ({
  imageId: "01a23ad2-15ce-7128-b010-c095a60f7ac3",
  width: 256,
  height: 200,
  sourceFormat: "PNG",
  imageKey: "k",
  originalKey: "k",
  patient: "P-1",
  label: "COVID",
  source: "site-a",
  view: "PA",
  split: null,
  fold: null,
  groundTruthId: "01a23ad2-15ce-7128-b010-c095a60f7ac4",
  mask: { id: "m", key: "k", sha256: "s", width: 256, height: 200, area: 1234, rleCounts: "a", bbox: [1, 2, 3, 4] },
  stage: "STAGE_II",
  round: 3,
  decision: "CONSENSUS",
  sourceKind: "MACHINE",
  model: { arch: "unet", encoder: "densenet121", fold: 2, weightsSha256: null },
  votes: 3,
  agreeing: 2,
  acceptedAt: new Date(0),
  ...o,
});

/** The generic writer the template replaced: every value through one quoting rule. */
function genericRow(values: (string | number | null)[]): string {
  const cell = (v: string | number | null) => {
    if (v === null) return "";
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${values.map(cell).join(",")}\n`;
}

describe("COCO entries as text", () => {
  it("equal JSON.stringify of the objects, escapes included", () => {
    for (const name of ["a.png", 'Train Set/Images/"q"\\x.png', "ü€😀\u0001.png"]) {
      expect(cocoImage(7, name, 256, 200, "id-1")).toBe(
        JSON.stringify({ id: 7, file_name: name, width: 256, height: 200, tandem_id: "id-1" }),
      );
    }
    // RLE counts use the characters 48–111, a backslash among them.
    const counts = "0`\\_1O2N3M\\\\";
    const bbox: [number, number, number, number] = [0, 12.5, 100, 3];
    expect(cocoAnnotation(3, 3, { size: [200, 256], counts }, 4321, bbox)).toBe(
      JSON.stringify({
        id: 3,
        image_id: 3,
        category_id: COCO_CATEGORY.id,
        segmentation: { size: [200, 256], counts },
        area: 4321,
        bbox,
        iscrowd: 0,
      }),
    );
  });
});

describe("metadata rows as text", () => {
  it("match the generic writer: quoting, formula guards, nulls, model and agreement", () => {
    expect(metadataHeader().trim().split(",")).toEqual([...METADATA_COLUMNS]);
    const split = { split: "TRAIN" as const, splitSource: "derived" as const, fold: 1 };
    const tricky = item({ patient: 'P,"x"\n2', source: "=HYPERLINK()", view: null });
    expect(metadataRow("n1", tricky, split, true)).toBe(
      genericRow([
        "n1",
        tricky.imageId,
        tricky.groundTruthId,
        'P,"x"\n2',
        "COVID",
        "'=HYPERLINK()",
        null,
        256,
        200,
        "TRAIN",
        "derived",
        2,
        "STAGE_II",
        3,
        "CONSENSUS",
        "MACHINE",
        "unet/densenet121/fold3",
        3,
        "0.667",
        1234,
        1,
      ]),
    );
    const plain = item({ mask: null, model: null, votes: 0, agreeing: 0, stage: null, round: null, source: null });
    const test = { split: "TEST" as const, splitSource: "recorded" as const, fold: null };
    expect(metadataRow("n2", plain, test, false)).toBe(
      genericRow([
        "n2",
        plain.imageId,
        plain.groundTruthId,
        "P-1",
        "COVID",
        null,
        "PA",
        256,
        200,
        "TEST",
        "recorded",
        null,
        null,
        null,
        "CONSENSUS",
        "MACHINE",
        null,
        0,
        null,
        0,
        0,
      ]),
    );
  });
});
