import { archiveLayout } from "../archive-layout";
import { defineWriter } from "../format-writer";
import type { ExportOptions } from "../schema";

/** The image and mask folders of the archive's layout, exactly as written by archive-layout.ts. */
function layoutFiles(id: ExportOptions["layout"]): string[] {
  if (id === "qata-cov19") {
    return [
      "This archive follows the folder and file names of the QaTa-COV19 release (v1), so code written for QaTa-COV19 reads it unchanged. The root folder is `QaTa-COV19/`.",
      "",
      "- `Train Set/Images/<name>.png` and `Test Set/Images/<name>.png`: the chest X-rays of COVID-19 (and unlabelled) images in the training and test split, 8-bit grayscale, re-encoded without metadata.",
      "- `Train Set/Ground-truths/mask_<name>.png` and `Test Set/Ground-truths/mask_<name>.png`: the accepted mask of each, same size, 0 = background, 255 = infected.",
      "- `Control_Group/<name>.png`: control images (label CONTROL), as QaTa-COV19 ships them: no mask file, their ground truth is the empty mask (by label). Their split is in `splits/` and `metadata.csv`.",
      "- Everything below is Tandem's addition beside the QaTa-COV19 folders; in `annotations/coco.json` an image's `file_name` is its path from the root folder.",
    ];
  }
  return [
    "This archive uses the Tandem flat layout (not the QaTa-COV19 release's folders; ask for layout `qata-cov19` for those). The root folder is `tandem-<project>/`.",
    "",
    "- `Images/<name>.png`: the chest X-ray, 8-bit grayscale, re-encoded without metadata.",
    "- `Ground-truths/<name>.png`: its accepted mask, same name and size, 0 = background, 255 = infected.",
  ];
}

/** Each image's working PNG and its accepted mask, placed by the layout. */
export const pngPairsWriter = defineWriter(({ options }) => {
  const layout = archiveLayout(options.layout ?? "tandem");
  return {
    id: "png-pairs",
    prepare(item, src) {
      const image = src.imageEntry();
      const mask = src.maskEntry();
      // References to local files come at once; bytes read here are a promise.
      if (image instanceof Promise || mask instanceof Promise)
        return Promise.all([image, mask]).then(([i, m]) => ({ image: i, mask: m }));
      return { image, mask };
    },
    writeItem({ name, at }, { image, mask }, out) {
      const wrote = out.data(layout.image(name, at), image.body, { sha256: image.sha256 });
      const maskPath = layout.mask(name, at);
      if (!maskPath) return wrote;
      if (wrote) return wrote.then(() => out.data(maskPath, mask.body, { sha256: mask.sha256 }));
      return out.data(maskPath, mask.body, { sha256: mask.sha256 });
    },
    datasheet: (o) => ({ files: layoutFiles(o.layout) }),
  };
});
