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

export function cocoImage(id: number, fileName: string, width: number, height: number, tandemId: string): string {
  return JSON.stringify({ id, file_name: fileName, width, height, tandem_id: tandemId });
}

/** One annotation per image holding the whole infected region (semantic mask, not instances). */
export function cocoAnnotation(
  id: number,
  imageId: number,
  rle: CocoCompressedRle,
  area: number,
  bbox: CocoBbox,
): string {
  return JSON.stringify({
    id,
    image_id: imageId,
    category_id: COCO_CATEGORY.id,
    segmentation: rle,
    area,
    bbox,
    iscrowd: 0,
  });
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
