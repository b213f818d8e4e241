// A simulated MD drawing with the Smart tool. What they go by is what a real MD has: the image
// (which the click model sees) and the mask they mean to draw — drawFromReading's outline of their
// own reading, never the truth. They click where the proposal disagrees most with that intent
// (the interactive-segmentation literature's simulated user, lib/assist/click-simulator.ts), undo a
// click that made things worse, stop when the proposal is as close to their intent as they need
// or after `maxClicks` (or after undoing a click that made it worse), and fix the rest by hand as when editing a candidate (editFromCandidate).
import { nextClick } from "../assist/click-simulator";
import type { Click } from "../assist/types";
import { dice } from "./mask-ops";
import { drawFromReading, editFromCandidate, type MaskWork } from "./reader-draw";
import type { ReaderProfile } from "./reader-profile";
import type { Reading } from "./reading";
import { assertNotTruth } from "./truth-guard";

/** One Smart-tool step: the proposal (0/1, native size) for all clicks so far on top of `current`. */
export type ClickStep = (clicks: Click[], current: Uint8Array) => Promise<Uint8Array>;

export type SmartDrawing = {
  mask: Uint8Array;
  /** Clicks made, undone ones included (each cost the MD a click and a wait). */
  clicks: number;
  /** What the hand changed after the clicks. */
  work: MaskWork;
  /** Dice of the accepted proposal to the MD's intended mask, before the hand fix. */
  proposalDice: number;
};

export const SMART_DEFAULTS = { maxClicks: 10, satisfiedDice: 0.9 };

export async function smartDrawFromReading(
  reading: Reading,
  reader: ReaderProfile,
  step: ClickStep,
  opts: { attempt?: string; start?: Uint8Array | null; maxClicks?: number; satisfiedDice?: number } = {},
): Promise<SmartDrawing> {
  const attempt = opts.attempt ?? "MANUAL";
  const maxClicks = opts.maxClicks ?? SMART_DEFAULTS.maxClicks;
  const satisfied = opts.satisfiedDice ?? SMART_DEFAULTS.satisfiedDice;
  const { width, height } = reading;
  if (opts.start) assertNotTruth(opts.start, "smartDrawFromReading");
  const intent = drawFromReading(reading, reader, attempt);
  let best = opts.start ?? new Uint8Array(width * height);
  let bestDice = dice(intent, best);
  const clicks: Click[] = [];
  let made = 0;
  while (made < maxClicks && bestDice < satisfied) {
    const click = nextClick(intent, best, width, height);
    if (!click) break;
    made++;
    const proposal = await step([...clicks, click], best);
    assertNotTruth(proposal, "smartDrawFromReading");
    const d = dice(intent, proposal);
    // A click that made the proposal worse is undone (the workspace's undo takes back one click)
    // and the MD finishes by hand: the same click would come out the same again.
    if (d <= bestDice) break;
    clicks.push(click);
    best = proposal;
    bestDice = d;
  }
  const fixed = editFromCandidate(reading, best, reader, attempt);
  return { mask: fixed.mask, clicks: made, work: fixed.work, proposalDice: bestDice };
}
