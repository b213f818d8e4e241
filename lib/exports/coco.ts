import type { CocoBbox, CocoCompressedRle } from "../masks/rle";

// COCO instances JSON, written in parts: images and annotations grow with the project and are
// spooled separately, then joined as head + images + middle + annotations + tail.

export const COCO_CATEGORY = { id: 1, name: "COVID-19 infection", supercategory: "lung opacity" } as const;

export interface CocoInfo {
  description: string;
  version: string;
  contributor: string;
  /** ISO date: the latest acceptance among the exported masks (a fact of the data, not of the run). */
  frozenAt: string | null;
}

// The per-image entries are written as templates (20k of each in a large export, where an object
// per entry and JSON.stringify cost more than the rest of the entry); strings go through
// JSON.stringify so that they are escaped exactly as before, and keys keep JSON.stringify's order.
export function cocoImage(id: number, fileName: string, width: number, height: number, tandemId: string): string {
  return `{"id":${id},"file_name":${JSON.stringify(fileName)},"width":${width},"height":${height},"tandem_id":${JSON.stringify(tandemId)}}`;
}

/** One annotation per image holding the whole infected region (semantic mask, not instances). */
export function cocoAnnotation(
  id: number,
  imageId: number,
  rle: CocoCompressedRle,
  area: number,
  bbox: CocoBbox,
): string {
  return `{"id":${id},"image_id":${imageId},"category_id":${COCO_CATEGORY.id},"segmentation":{"size":[${rle.size[0]},${rle.size[1]}],"counts":${JSON.stringify(rle.counts)}},"area":${area},"bbox":[${bbox[0]},${bbox[1]},${bbox[2]},${bbox[3]}],"iscrowd":0}`;
}

export function cocoHead(info: CocoInfo): string {
  const head = {
    info: {
      description: info.description,
      version: info.version,
      contributor: info.contributor,
      date_created: info.frozenAt ?? "",
    },
    licenses: [],
    categories: [COCO_CATEGORY],
  };
  return `${JSON.stringify(head).slice(0, -1)},"images":[`;
}

export const COCO_MIDDLE = `],"annotations":[`;
export const COCO_TAIL = `]}\n`;
