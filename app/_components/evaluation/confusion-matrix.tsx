import type { ConfusionCounts } from "@/lib/masks/measures";
import { count } from "./format";

/** A 2×2 confusion matrix (the paper's Tables 4 and 7): rows truth, columns prediction. */
export function ConfusionMatrix({
  title,
  c,
  positive,
  negative,
}: {
  title: string;
  c: ConfusionCounts;
  positive: string;
  negative: string;
}) {
  const cell = "border border-line px-3 py-1.5 text-right tabular-nums";
  return (
    <table className="text-xs" data-testid="confusion-matrix">
      <caption className="pb-1 text-left text-muted">{title}</caption>
      <thead>
        <tr>
          <th className="px-2 text-left font-normal text-muted">truth \ predicted</th>
          <th className="px-3 font-medium">{positive}</th>
          <th className="px-3 font-medium">{negative}</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th className="px-2 text-left font-medium">{positive}</th>
          <td className={`${cell} text-ok`} title="true positives">
            {count(c.tp)}
          </td>
          <td className={`${cell} text-bad`} title="false negatives">
            {count(c.fn)}
          </td>
        </tr>
        <tr>
          <th className="px-2 text-left font-medium">{negative}</th>
          <td className={`${cell} text-bad`} title="false positives">
            {count(c.fp)}
          </td>
          <td className={`${cell} text-ok`} title="true negatives">
            {count(c.tn)}
          </td>
        </tr>
      </tbody>
    </table>
  );
}
