import type { WriterFactory } from "../format-writer";
import { cocoWriter } from "./coco";
import { dicomWriter } from "./dicom";
import { metadataWriter } from "./metadata";
import { pngPairsWriter } from "./png-pairs";
import { splitsWriter } from "./splits";

/**
 * The export formats, in the order their files appear per item and their tables at the end.
 * Adding a format: one file in this folder exporting a writer, registered here, and its test.
 */
export const EXPORT_WRITERS: readonly WriterFactory[] = [
  pngPairsWriter,
  dicomWriter,
  cocoWriter,
  metadataWriter,
  splitsWriter,
];
