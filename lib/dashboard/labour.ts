// The paper's main claim in one number: MD time per accepted mask with the collaborative
// protocol (drawing + voting + confirming) against drawing every mask by hand.
import type { DayPoint, Labour } from "./types";

export type LabourTotals = {
  drawMs: number;
  voteMs: number;
  confirmMs: number;
  acceptedMasks: number;
  medianDrawMs: number | null;
  drawingsTimed: number;
};

export function labourFromTotals(t: LabourTotals): Labour {
  const mdSeconds = (t.drawMs + t.voteMs + t.confirmMs) / 1000;
  const perMask = t.acceptedMasks > 0 ? mdSeconds / t.acceptedMasks : null;
  const baseline = t.medianDrawMs === null ? null : t.medianDrawMs / 1000;
  const saved = perMask !== null && baseline !== null ? baseline - perMask : null;
  return {
    mdSeconds,
    acceptedMasks: t.acceptedMasks,
    secondsPerAcceptedMask: perMask,
    baselineSecondsPerMask: baseline,
    baselineSource: "median-drawing",
    drawingsTimed: t.drawingsTimed,
    savedSeconds: saved,
    savedFraction: saved !== null && baseline ? saved / baseline : null,
  };
}

export type DayTotals = {
  day: string;
  acceptedMasks: number;
  acceptedByLabel: number;
  masksDrawn: number;
  votes: number;
  mdMs: number;
};

const DAY_MS = 86_400_000;
const MAX_FILLED_DAYS = 1000;

/** Adds the missing days (all zero) between the first and the last, so rates plot honestly. */
function fillDays(days: DayTotals[]): DayTotals[] {
  if (days.length < 2) return days;
  const first = Date.parse(`${days[0].day}T00:00:00Z`),
    last = Date.parse(`${days[days.length - 1].day}T00:00:00Z`);
  if ((last - first) / DAY_MS > MAX_FILLED_DAYS) return days;
  const byDay = new Map(days.map((d) => [d.day, d]));
  const out: DayTotals[] = [];
  for (let t = first; t <= last; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(byDay.get(day) ?? { day, acceptedMasks: 0, acceptedByLabel: 0, masksDrawn: 0, votes: 0, mdMs: 0 });
  }
  return out;
}

/** Daily rows (any order) → one point per day with the running MD-seconds per accepted mask. */
export function cumulativeSeries(days: readonly DayTotals[]): DayPoint[] {
  let ms = 0;
  let masks = 0;
  return fillDays([...days].sort((a, b) => a.day.localeCompare(b.day))).map((d) => {
    ms += d.mdMs;
    masks += d.acceptedMasks;
    return {
      day: d.day,
      acceptedMasks: d.acceptedMasks,
      acceptedByLabel: d.acceptedByLabel,
      masksDrawn: d.masksDrawn,
      votes: d.votes,
      mdSeconds: d.mdMs / 1000,
      secondsPerMask: masks > 0 ? ms / 1000 / masks : null,
    };
  });
}
