import { archiveLayout } from "../archive-layout";
import { defineWriter } from "../format-writer";
import type { ItemSources } from "../item-sources";
import type { ExportItem } from "../types";

/** For images imported from DICOM: the de-identified file and a DICOM-SEG of the accepted mask. */
export const dicomWriter = defineWriter(({ options }) => {
  const layout = archiveLayout(options.layout ?? "tandem");
  return {
    id: "dicom",
    prepare(item, src) {
      if (item.sourceFormat !== "DICOM") return null;
      return prepareDicom(item, src);
    },
    writeItem({ name }, need, out) {
      if (!need) return;
      const wrote = out.data(layout.dicom(name), need.source);
      const seg = () => out.data(layout.dicomSeg(name), need.seg);
      return wrote ? wrote.then(seg) : seg();
    },
    datasheet: () => ({
      files: [
        '- `DICOM/<name>.dcm` and `DICOM-SEG/<name>.dcm`: for images imported from DICOM, the de-identified file and a DICOM Segmentation (BINARY, segment "COVID-19 infection") that references it.',
      ],
    }),
  };
});

/** The de-identified original and a DICOM-SEG of the accepted mask. */
async function prepareDicom(item: ExportItem, src: ItemSources) {
  // Loaded with the first DICOM item: dcmjs is large, and most exports have none.
  const [{ buildDicomSeg }, source, pixels, mask] = await Promise.all([
    import("../dicom-seg"),
    src.original(),
    src.maskPixels(),
    src.maskPng(),
  ]);
  const seg = buildDicomSeg({
    dicom: source,
    mask: pixels,
    width: item.width,
    height: item.height,
    maskSha256: mask.sha256,
    winner: item.sourceKind,
    model: item.model,
  });
  return { source, seg };
}
