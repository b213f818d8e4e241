import { archiveLayout } from "../archive-layout";
import { defineWriter } from "../format-writer";
import { mdTable } from "../markdown";
import { METADATA_COLUMNS, metadataHeader, metadataRow } from "../metadata-csv";
import type { SpoolFile } from "../spool-file";

const columnNotes: Record<(typeof METADATA_COLUMNS)[number], string> = {
  image: "the image's name: the file name stem of its image and mask (see Files for the folders)",
  tandem_image_id: "the image's id in Tandem (stable across dataset versions)",
  ground_truth_id: "the accepted ground-truth record frozen in this version",
  patient: "keyed pseudonym of the patient (cannot be reversed without Tandem's key); empty when unknown",
  label: "COVID, CONTROL or UNKNOWN",
  source: "collection the image was imported from",
  view: "projection (e.g. AP, PA) when known",
  width: "pixels",
  height: "pixels",
  split: "TRAIN or TEST",
  split_source: "recorded (the project's own split) or derived (by patient, see Splits)",
  fold: "cross-validation fold of a training image, numbered from 1",
  stage: "protocol stage in which the mask was accepted (empty: accepted by label)",
  round: "protocol round in which the mask was accepted",
  decision: "CONSENSUS (MD vote), LEAD (tie settled by the lead), REDRAWN, CONFIRMED (second MD) or LABEL (control)",
  winner:
    "source of the accepted mask: MANUAL (MD-drawn in Stage I), MACHINE (a network's candidate), REDRAW (MD-drawn after every candidate was rejected) or EMPTY (by label); the DICOM-SEG's Segment Algorithm Type says the same (MANUAL; AUTOMATIC with the network's identity; AUTOMATIC named \"Tandem label-derived empty mask\")",
  model: "architecture/encoder[/fold] of the network whose candidate won",
  votes: "MD votes cast on the image in that round",
  agreement: "share of those votes that chose the accepted mask",
  mask_area: "foreground pixels of the mask",
  dicom: "1 when the image was imported from DICOM (DICOM/ holds the de-identified file, DICOM-SEG/ its segmentation)",
};

/** metadata.csv: one row per image; every row is also part of the dataset version. */
export const metadataWriter = defineWriter(({ options }) => {
  const layout = archiveLayout(options.layout ?? "tandem");
  let csv: SpoolFile | null = null;
  const open = (out: { spool(n: string): SpoolFile }) => {
    if (!csv) {
      csv = out.spool("metadata.csv");
      csv.append(metadataHeader());
    }
    return csv;
  };
  return {
    id: "metadata",
    prepare: () => null,
    writeItem({ item, name, split }, _need, out) {
      const row = metadataRow(name, item, split, item.sourceFormat === "DICOM");
      open(out).append(row);
      out.version(`row ${row}`);
    },
    async finish(out) {
      const f = open(out);
      await f.close();
      await out.derived(layout.metadata, { size: f.size, crc32: f.crc32, body: { parts: [f.part()] } });
    },
    datasheet: () => ({
      files: ["- `metadata.csv`: one row per image (columns below)."],
      notes: [
        mdTable(
          ["column", "meaning"],
          METADATA_COLUMNS.map((c) => [`\`${c}\``, columnNotes[c]]),
        ),
      ],
    }),
  };
});
