// Where each file goes in the archive. Names come from Tandem ids only, never from uploads.

export const rootDir = (slug: string) => `tandem-${slug}`;

export const layout = {
  image: (name: string) => `Images/${name}.png`,
  mask: (name: string) => `Ground-truths/${name}.png`,
  dicom: (name: string) => `DICOM/${name}.dcm`,
  dicomSeg: (name: string) => `DICOM-SEG/${name}.dcm`,
  model: (folder: string) => `models/${folder}/model.onnx`,
  modelCard: (folder: string) => `models/${folder}/MODEL_CARD.md`,
  coco: "annotations/coco.json",
  metadata: "metadata.csv",
  train: "splits/train.txt",
  test: "splits/test.txt",
  folds: "splits/folds.csv",
  readme: "README.md",
  manifest: "MANIFEST.sha256",
} as const;

/** The exported name of an image: its Tandem id (stable across dataset versions). */
export const exportName = (imageId: string) => imageId;
