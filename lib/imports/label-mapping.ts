import type { ImageLabel } from "./types";

const squash = (s: string) =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "");

const unknown = new Set(["", "unknown", "na", "nan", "none", "null", "missing", "unlabeled", "unlabelled", "tbd"]);
const covid = new Set([
  "covid",
  "covid19",
  "covid2019",
  "ncov",
  "2019ncov",
  "sarscov2",
  "sarscov",
  "positive",
  "pos",
  "covidpositive",
  "covid19positive",
  "sarscov2positive",
  "yes",
  "true",
  "1",
]);
// Negated spellings that still contain the word "covid" ("non-COVID", "COVID negative").
const negated = /^(non|not|no|neg)|negative|neg$|notcovid|nocovid|noncovid|excluded|ruledout/;

/**
 * Maps a label spelling to the protocol's two classes. COVID-19 spellings → COVID; normal,
 * control, negative and any other finding or disease name (pneumonia, TB, lung opacity…) →
 * CONTROL, because for this protocol anything not COVID-19 is a control. Blank or "unknown" →
 * UNKNOWN.
 */
export function mapLabel(raw: string): ImageLabel {
  const s = squash(raw);
  if (unknown.has(s)) return "UNKNOWN";
  if (covid.has(s)) return "COVID";
  if (negated.test(s)) return "CONTROL";
  if (s.includes("covid") || s.includes("sarscov2")) return "COVID";
  return "CONTROL";
}
