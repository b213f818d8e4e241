// Where each file goes in the archive. Names come from Tandem ids only, never from uploads.
// ARCHIVE_LAYOUTS is the one list of layouts: the options schema, the export form, the CLI and
// the datasheet all read it.

export const ARCHIVE_LAYOUTS = [
  {
    id: "tandem",
    label: "Tandem flat layout",
    summary:
      "Images/<name>.png with Ground-truths/<name>.png (same name), every image in one folder; splits in splits/*.txt.",
  },
  {
    id: "qata-cov19",
    label: "QaTa-COV19 v1 layout",
    summary:
      "QaTa-COV19/Train Set/Images/<name>.png with Train Set/Ground-truths/mask_<name>.png, the same under Test Set/, and control images in Control_Group/<name>.png, as the QaTa-COV19 release names them.",
  },
] as const;

export type ArchiveLayoutId = (typeof ARCHIVE_LAYOUTS)[number]["id"];
export const ARCHIVE_LAYOUT_IDS = ARCHIVE_LAYOUTS.map((l) => l.id) as [ArchiveLayoutId, ...ArchiveLayoutId[]];
export const DEFAULT_ARCHIVE_LAYOUT: ArchiveLayoutId = "tandem";

export const layoutInfo = (id: ArchiveLayoutId) => ARCHIVE_LAYOUTS.find((l) => l.id === id)!;

/** Where an image belongs: its split, and whether it is a control (QaTa-COV19 keeps those apart). */
export interface Placement {
  split: "TRAIN" | "TEST";
  label: "COVID" | "CONTROL" | "UNKNOWN";
}

/** Files every layout places the same way, relative to the archive's root folder. */
const shared = {
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

export interface ArchiveLayout {
  id: ArchiveLayoutId;
  root(slug: string): string;
  image(name: string, at: Placement): string;
  /** Null: the layout ships no mask file for this image (QaTa-COV19 controls: empty by label). */
  mask(name: string, at: Placement): string | null;
}

const tandem: ArchiveLayout = {
  id: "tandem",
  root: (slug) => `tandem-${slug}`,
  image: (name) => `Images/${name}.png`,
  mask: (name) => `Ground-truths/${name}.png`,
};

const qataSet = (at: Placement) => (at.split === "TEST" ? "Test Set" : "Train Set");

const qata: ArchiveLayout = {
  id: "qata-cov19",
  root: () => "QaTa-COV19",
  image: (name, at) => (at.label === "CONTROL" ? `Control_Group/${name}.png` : `${qataSet(at)}/Images/${name}.png`),
  mask: (name, at) => (at.label === "CONTROL" ? null : `${qataSet(at)}/Ground-truths/mask_${name}.png`),
};

export const archiveLayout = (id: ArchiveLayoutId): ArchiveLayout & typeof shared => ({
  ...(id === "qata-cov19" ? qata : tandem),
  ...shared,
});

/** The exported name of an image: its Tandem id (stable across dataset versions). */
export const exportName = (imageId: string) => imageId;
