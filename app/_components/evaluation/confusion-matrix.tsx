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
        {[
          {
            truth: positive,
            cells: [c.tp, c.fn],
            titles: ["true positives", "false negatives"],
            tones: ["text-ok", "text-bad"],
          },
          {
            truth: negative,
            cells: [c.fp, c.tn],
            titles: ["false positives", "true negatives"],
            tones: ["text-bad", "text-ok"],
          },
        ].map((row) => (
          <tr key={row.titles[0]}>
            <th className="px-2 text-left font-medium">{row.truth}</th>
            {row.cells.map((n, k) => (
              <td key={row.titles[k]} className={`${cell} ${row.tones[k]}`} title={row.titles[k]}>
                {count(n)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
