import { archiveLayout } from "../archive-layout";
import { COCO_MIDDLE, COCO_TAIL, cocoAnnotation, cocoHead, cocoImage } from "../coco";
import { defineWriter } from "../format-writer";
import type { SpoolFile } from "../spool-file";
import { cocoSummary, type CocoBbox } from "../../masks/rle";

type MaskSummary = { maskId: string; rleCounts: string; bbox: number[] };
type Need = { counts: string | null; bbox: CocoBbox; area: number; computed: MaskSummary | null };
const BACKFILL_BATCH = 500;

/**
 * annotations/coco.json: one image entry per item and one RLE annotation per non-empty mask.
 * The RLE and bbox are stored with each mask when it is created; a mask made before that was
 * stored is decoded once here and its values saved back (batched) for the next export.
 */
export const cocoWriter = defineWriter(({ project, options, backfill }) => {
  const layout = archiveLayout(options.layout ?? "tandem");
  let images: SpoolFile | null = null;
  let annotations: SpoolFile | null = null;
  let annotated = false;
  let pending: MaskSummary[] = [];
  const flush = async () => {
    if (pending.length && backfill) await backfill("maskSummaries", pending);
    pending = [];
  };
  return {
    id: "coco",
    prepare(item, src): Need | Promise<Need> {
      const m = item.mask;
      if (!m || m.area === 0) return { counts: null, bbox: [0, 0, 0, 0], area: 0, computed: null };
      if (m.rleCounts !== null && m.bbox.length === 4)
        return { counts: m.rleCounts, bbox: m.bbox as CocoBbox, area: m.area, computed: null };
      return src.maskPixels().then((pixels) => {
        const summary = cocoSummary(pixels, item.width, item.height);
        return { counts: summary.rleCounts, bbox: summary.bbox, area: m.area, computed: { maskId: m.id, ...summary } };
      });
    },
    writeItem({ item, name, at, index }, need, out) {
      images ??= out.spool("coco-images.part");
      annotations ??= out.spool("coco-annotations.part");
      images.append(
        `${index > 1 ? "," : ""}${cocoImage(index, layout.id === "tandem" ? `${name}.png` : layout.image(name, at), item.width, item.height, item.imageId)}`,
      );
      if (need.counts !== null) {
        annotations.append(
          `${annotated ? "," : ""}${cocoAnnotation(index, index, { size: [item.height, item.width], counts: need.counts }, need.area, need.bbox)}`,
        );
        annotated = true;
      }
      if (need.computed) {
        pending.push(need.computed);
        if (pending.length >= BACKFILL_BATCH) return flush();
      }
    },
    async finish(out, info) {
      await flush();
      images ??= out.spool("coco-images.part");
      annotations ??= out.spool("coco-annotations.part");
      await images.close();
      await annotations.close();
      const head = Buffer.from(
        cocoHead({
          description: `${project.name}: COVID-19 infection masks`,
          version: info.datasetVersion,
          contributor: "Tandem",
          frozenAt: info.frozenAt,
        }),
      );
      const [middle, tail] = [Buffer.from(COCO_MIDDLE), Buffer.from(COCO_TAIL)];
      await out.derived(layout.coco, {
        size: head.length + images.size + middle.length + annotations.size + tail.length,
        body: { parts: [head, images.part(), middle, annotations.part(), tail] },
      });
    },
    datasheet: () => ({
      files: [
        "- `annotations/coco.json`: COCO with one RLE annotation (pycocotools compressed counts) per image with infected pixels; images with empty masks have none.",
      ],
    }),
  };
});
