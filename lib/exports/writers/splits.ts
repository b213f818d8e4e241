import { foldNumber } from "../../ml/fold";
import { archiveLayout } from "../archive-layout";
import { defineWriter } from "../format-writer";
import type { SpoolFile } from "../spool-file";

/** splits/train.txt, splits/test.txt and splits/folds.csv: image names per split, the fold of each training image. */
export const splitsWriter = defineWriter(({ options }) => {
  const layout = archiveLayout(options.layout ?? "tandem");
  let files: { train: SpoolFile; test: SpoolFile; folds: SpoolFile } | null = null;
  const open = (out: { spool(n: string): SpoolFile }) => {
    if (!files) {
      files = { train: out.spool("train.txt"), test: out.spool("test.txt"), folds: out.spool("folds.csv") };
      files.folds.append("image,fold\n");
    }
    return files;
  };
  return {
    id: "splits",
    prepare: () => null,
    writeItem({ name, split }, _need, out) {
      const f = open(out);
      (split.split === "TEST" ? f.test : f.train).append(`${name}\n`);
      if (split.fold !== null) f.folds.append(`${name},${foldNumber(split.fold)}\n`);
    },
    async finish(out) {
      const f = open(out);
      for (const [rel, s] of [
        [layout.train, f.train],
        [layout.test, f.test],
        [layout.folds, f.folds],
      ] as const) {
        await s.close();
        await out.derived(rel, { size: s.size, crc32: s.crc32, body: { parts: [s.part()] } });
      }
    },
    datasheet: () => ({
      files: [
        "- `splits/train.txt`, `splits/test.txt`, `splits/folds.csv`: image names per split, and the fold of each training image.",
      ],
    }),
  };
});
