import { layoutInfo } from "./archive-layout";
import { PROFILE_EDITION } from "../images/dicom/basic-profile";
import { enabledDeidOptions } from "../images/dicom/deid-options";
import type { ExportStats } from "./export-stats";
import { mdTable, pct, sortedEntries } from "./markdown";
import type { ExportOptions } from "./schema";
import type { ExportProject, SelectionCounts } from "./types";

export interface DatasheetInput {
  project: ExportProject;
  options: ExportOptions;
  stats: ExportStats;
  counts: SelectionCounts;
  /** Chosen images without an accepted mask, left out because the exporter asked for accepted only. */
  unacceptedLeftOut: number;
  datasetVersion: string;
  modelCount: number;
  /** The Files section's bullets from each export writer, in registry order. */
  files: string[];
  /** Paragraphs after the list (e.g. the metadata columns), from the writers. */
  notes: string[];
}

const shortVersion = (v: string) => v.slice(0, 12);

function selection(o: ExportOptions): string {
  return [
    `- Labels: ${o.labels?.join(", ") ?? "all"}`,
    `- Sources: ${o.sources?.join(", ") ?? "all"}`,
    `- Stages: ${o.stages?.join(", ") ?? "all"}`,
    `- Accepted after: ${o.acceptedAfter ?? "any time"}`,
    `- Images without an accepted mask: ${o.acceptedOnly ? "left out (accepted only)" : "refused (every chosen image had one)"}`,
    `- Test share where no split was recorded: ${o.testFraction}`,
    `- Trained models: ${o.includeModels ? "included" : "not included"}`,
  ].join("\n");
}

function contents(d: DatasheetInput): string {
  const s = d.stats;
  const rows: (string | number)[][] = [
    ["Images, each with its ground-truth mask", s.images],
    ...sortedEntries(s.byLabel).map(([k, v]) => [`  label ${k}`, v] as [string, number]),
    ["Empty masks (no infected pixel)", s.emptyMasks],
    ["Imported from DICOM (with DICOM-SEG)", s.dicom],
    ["Left out: blocked from export (e.g. burned-in annotations)", d.counts.blocked],
    ["Left out: burned-in text awaiting a lead's review", d.counts.heldBack],
    ["Left out: no accepted mask yet", d.unacceptedLeftOut],
    ["Trained models", d.modelCount],
  ];
  return mdTable(["", "count"], rows);
}

function protocol(d: DatasheetInput): string {
  const s = d.stats;
  const w = (k: string) => s.byWinner.get(k) ?? 0;
  const md = w("MANUAL") + w("REDRAW");
  const machine = w("MACHINE");
  const drawn = md + machine;
  const rounds = d.project.rounds.length
    ? mdTable(
        ["round", "stage", "status", "masks accepted in it"],
        d.project.rounds.map((r) => [r.number, r.stage, r.status, s.byRound.get(String(r.number)) ?? 0]),
      )
    : "No protocol round has run; every mask here was accepted by label.";
  return [
    "Masks were made with Tandem's collaborative human–machine protocol (Degerli et al., 2021):",
    "",
    `1. Stage I: medical doctors (MDs) drew masks for a subset of the COVID-19 images. Networks (${JSON.stringify(d.project.stage1Archs)}) were trained in ${d.project.folds} patient-grouped folds; each predicted only the images held out of its training, so every candidate came from a model that never saw that image's mask.`,
    "2. MDs chose the best mask among the blinded candidates (manual and machine, order randomised, sources hidden).",
    `3. Stage II: networks (${JSON.stringify(d.project.stage2Networks)}) trained on the accepted masks predicted the remaining images; MDs chose the best candidate or rejected all, in which case an MD drew the mask by hand.`,
    `4. Votes per image: ${d.project.votesPerImage}; selection mode ${d.project.selectionMode}; votes for masks with Dice ≥ ${d.project.agreementDice} counted together.`,
    "5. Control images have the empty mask as ground truth by their label.",
    "",
    rounds,
    "",
    mdTable(
      ["accepted mask came from", "images", "share of drawn masks"],
      [
        ["an MD (Stage-I manual mask or redraw)", md, pct(md, drawn)],
        ["a network (machine candidate chosen by MDs)", machine, pct(machine, drawn)],
        ["the label (empty mask of a control)", w("EMPTY"), "–"],
      ],
    ),
    "",
    s.votedImages
      ? `Voting: ${s.votedImages} images were decided by vote, ${(s.votes / s.votedImages).toFixed(2)} votes per image on average, mean agreement ${(s.agreementSum / s.votedImages).toFixed(3)}.`
      : "Voting: no image in this selection was decided by vote.",
  ].join("\n");
}

function splits(d: DatasheetInput): string {
  const s = d.stats;
  return [
    mdTable(["split", "images"], sortedEntries(s.bySplit)),
    "",
    mdTable(["fold", "training images"], sortedEntries(s.byFold)),
    "",
    `A split or fold recorded in the project is kept. Where none was recorded, the patient decides (a keyed hash of the pseudonym, seed ${d.project.seed}): about ${d.options.testFraction * 100}% of patients go to TEST, and training patients are spread over ${d.project.folds} folds. A patient's images never straddle two splits or two derived folds.`,
    "",
    mdTable(["source", "images"], sortedEntries(s.bySource)),
  ].join("\n");
}

function citation(d: DatasheetInput): string {
  const key = `tandem_${d.project.slug.replace(/-/g, "_")}_${shortVersion(d.datasetVersion)}`;
  const title = d.project.name.replace(/[{}\\]/g, "");
  return [
    "```bibtex",
    `@misc{${key},`,
    `  title  = {${title}: COVID-19 infection masks on chest X-rays},`,
    `  note   = {Dataset version ${d.datasetVersion}, exported with Tandem},`,
    `  year   = {${d.stats.latestAcceptance ? d.stats.latestAcceptance.getUTCFullYear() : ""}}`,
    "}",
    "",
    "@article{degerli2021covid,",
    "  author  = {Degerli, Aysen and Ahishali, Mete and Yamac, Mehmet and Kiranyaz, Serkan and Chowdhury, Muhammad E. H. and Hameed, Khalid and Hamid, Tahir and Mazhar, Rashid and Gabbouj, Moncef},",
    "  title   = {{COVID-19} infection map generation and detection from chest {X}-ray images},",
    "  journal = {Health Information Science and Systems},",
    "  volume  = {9},",
    "  number  = {15},",
    "  year    = {2021},",
    "  doi     = {10.1007/s13755-021-00146-8}",
    "}",
    "```",
  ].join("\n");
}

/** The README shipped in every archive: what is in it, how it was made, how to cite it. */
/** The DICOM de-identification the project applied, as the files record it (Deidentification Method Code Sequence). */
function deidentificationLines(ingest: ExportProject["ingest"]): string[] {
  if (!ingest) return [];
  const options = enabledDeidOptions(ingest.deid);
  return [
    `- DICOM: every row of PS3.15 ${PROFILE_EDITION} Table E.1-1 applied at every level of nesting, Basic Application Confidentiality Profile (DCM 113100); options: ${options.length ? options.map((o) => `${o.meaning} (DCM ${o.code})`).join("; ") : "none"}. Attributes neither in the table nor needed for the image (pixel data, geometry, modality, view, VOI) were removed.`,
    `- DICOM modalities accepted: ${ingest.modalities.accepted.join(", ")}; others were ${ingest.modalities.otherwise === "FLAG" ? "imported with the flag modality-not-accepted" : "refused"}.`,
  ];
}

export function datasheet(d: DatasheetInput): string {
  const frozen = d.stats.latestAcceptance ? d.stats.latestAcceptance.toISOString() : "–";
  return [
    `# ${d.project.name}: COVID-19 infection masks on chest X-rays`,
    "",
    `- Dataset version: \`${d.datasetVersion}\``,
    `- Latest acceptance included: ${frozen}`,
    `- Format: Tandem dataset export 1, ${layoutInfo(d.options.layout).label} (layout option \`${d.options.layout}\`)`,
    "",
    "The dataset version is a SHA-256 over the selection, every exported file's checksum and every metadata row:",
    "the same version always means the same images, masks and metadata.",
    "",
    "## Contents",
    "",
    contents(d),
    "",
    "## Selection",
    "",
    selection(d.options),
    "",
    "## How the masks were made",
    "",
    protocol(d),
    "",
    "## Splits and folds",
    "",
    splits(d),
    "",
    "## Files",
    "",
    ...d.files,
    "- `models/<name>/model.onnx` and `MODEL_CARD.md`: trained networks, when included.",
    "- `MANIFEST.sha256`: SHA-256 of every other file; check with `sha256sum -c MANIFEST.sha256` in this folder.",
    "",
    ...d.notes.flatMap((n) => [n, ""]),
    "## De-identification",
    "",
    "- Files are named by Tandem ids, never by their original names.",
    "- Patients appear only as keyed pseudonyms.",
    "- Images were re-encoded on import (no EXIF or text chunks); DICOM files were cleaned with the PS3.15 Annex E Basic Profile (UIDs replaced consistently, dates removed, private tags dropped).",
    ...deidentificationLines(d.project.ingest),
    "- Images a lead blocked from export (e.g. burned-in annotations) are left out and counted above.",
    "- Images flagged for burned-in text (Burned In Annotation YES, or a secondary-capture SOP class) are held back until a lead reviews them; a lead may release one, exclude it, or paint a rectangle black in every stored copy (working image and DICOM alike) before it is released.",
    "",
    "## Citation",
    "",
    citation(d),
    "",
  ].join("\n");
}
