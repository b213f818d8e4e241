/**
 * The "C" (clean) action of Table E.1-1 for free text: keep only words known not to identify
 * anyone (projection, anatomy, technique and procedure vocabulary), drop every other word.
 * A description such as "CHEST PA ERECT — Dr SMITH, bed 4" becomes "CHEST PA ERECT".
 * Digits, names, dates and anything unrecognised never survive.
 */
const SAFE_WORDS = new Set(
  `
  chest thorax thoracic lung lungs pulmonary heart cardiac abdomen abdominal rib ribs spine
  pa ap lat lateral ll rl lateral-left lateral-right left right bilateral oblique decubitus lordotic
  erect upright supine prone semi-erect sitting standing portable mobile bedside frontal view views
  x-ray xray radiograph radiography chest-x-ray cxr cr dx digital computed radiology plain film
  inspiration expiration inspiratory expiratory routine follow-up followup screening study series
  image images projection scout single and with without contrast low dose high standard
  covid covid-19 pneumonia infection infiltrate opacity consolidation normal abnormal control
  pre post adult paediatric pediatric neonatal infant child
`
    .trim()
    .split(/\s+/),
);

const WORD = /[^\s,;:/\\()[\]{}<>"'|^=+*#@!?_.]+/g;

/** The safe words of a text, upper-cased, in order; "" when none are left. */
export function cleanText(text: string): string {
  const words = text.match(WORD) ?? [];
  return words
    .filter((w) => SAFE_WORDS.has(w.toLowerCase()))
    .map((w) => w.toUpperCase())
    .join(" ");
}
