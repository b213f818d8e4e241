import { mdTable } from "./markdown";
import type { ExportModel } from "./types";
import { foldLabel, foldNumber } from "../ml/fold";

const safe = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "") || "x";

/** Folder name of a model in the archive: round, architecture, encoder, fold. */
export function modelFolder(m: ExportModel): string {
  const round = m.roundNumber === null ? "r0" : `r${m.roundNumber}`;
  return [round, safe(m.arch), safe(m.encoder), m.fold === null ? "all" : `fold${foldNumber(m.fold)}`].join("-");
}

function flatMetrics(metrics: unknown): (string | number)[][] {
  if (!metrics || typeof metrics !== "object") return [];
  return Object.entries(metrics as Record<string, unknown>)
    .filter(([, v]) => typeof v === "number" || typeof v === "string")
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => [k, typeof v === "number" ? Number(v.toPrecision(6)) : String(v)]);
}

export function modelCard(m: ExportModel): string {
  const config = JSON.stringify(m.config ?? {}, Object.keys((m.config ?? {}) as object).sort(), 2);
  const metrics = flatMetrics(m.metrics);
  return [
    `# Model card: ${m.arch} / ${m.encoder}${m.fold === null ? "" : `, ${foldLabel(m.fold)}`}`,
    "",
    mdTable(
      ["", ""],
      [
        ["Architecture", m.arch],
        ["Encoder", m.encoder],
        ["Protocol round", m.roundNumber ?? "–"],
        ["Stage", m.stage ?? "–"],
        ["Fold", foldNumber(m.fold) ?? "all accepted masks"],
        ["Parameters", m.paramCount ?? "–"],
        ["Weights SHA-256", m.weightsSha256 ?? "–"],
        ["Training images", m.trainedCount],
        ["Held-out images", m.heldOutCount],
        ["Training data version", m.trainingSetSha256],
      ],
    ),
    "",
    "Input: one-channel chest X-ray resized to the configured size; output: per-pixel infection probability. A pixel is infected where the probability is at least 0.5; an image is COVID-19 positive when any pixel is.",
    "",
    "The training data version is a SHA-256 over the ids of the images this model trained on; a Stage-I fold model never saw its own fold (out-of-fold candidates).",
    "",
    "## Training configuration",
    "",
    "```json",
    config,
    "```",
    "",
    "## Metrics",
    "",
    metrics.length ? mdTable(["metric", "value"], metrics) : "No metrics were recorded.",
    "",
  ].join("\n");
}
