import { chosenMaskDice } from "@/lib/dashboard/queries";
import type { Actor } from "@/lib/auth/types";
import { fixed, num, stageLabel } from "./format";

/** Streams in after the first view: it loads masks from storage. */
export async function DicePanel({ actor, projectId }: { actor: Actor; projectId: string }) {
  // A missing mask file must not take the whole dashboard down with it.
  const r = await chosenMaskDice(actor, projectId).catch((e: Error) => e);
  if (r instanceof Error)
    return <p className="text-sm text-warn">Dice between chosen masks is unavailable: {r.message}</p>;
  if (!r.eligibleImages)
    return <p className="text-sm text-muted">Dice between chosen masks: no image has two chosen masks yet.</p>;
  return (
    <div className="space-y-1" data-testid="dice-panel">
      <p className="text-sm font-medium">How similar the chosen masks are (mean Dice between voters’ choices)</p>
      <ul className="flex flex-wrap gap-4 text-sm tabular-nums">
        {r.byStage.map((s) => (
          <li key={s.stage}>
            <span className="text-muted">{stageLabel(s.stage)}:</span> {fixed(s.meanDice, 3)}{" "}
            <span className="text-xs text-muted">({num(s.images)} images)</span>
          </li>
        ))}
      </ul>
      {r.sampledImages < r.eligibleImages ? (
        <p className="text-xs text-muted">
          Over {num(r.sampledImages)} of {num(r.eligibleImages)} images with two or more chosen masks (each round&apos;s
          most recently voted).
        </p>
      ) : null}
    </div>
  );
}
