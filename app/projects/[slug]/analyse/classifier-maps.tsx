import { Badge } from "@/app/_components/ui";
import { OverlayViewer } from "@/app/_components/viewer/overlay-viewer";

export type ClassifierOutput = {
  id: string;
  label: string;
  prob: number;
  positive: boolean;
  cam: string;
  occlusion: string;
};

/** A classifier's two maps, as the page shows them. */
const mapsOf = (c: ClassifierOutput) => [
  {
    testId: "classifier-cam",
    src: c.cam,
    name: "Class activation map",
    caption: "Class activation map (COVID-19), scaled to its maximum",
  },
  {
    testId: "classifier-occlusion",
    src: c.occlusion,
    name: "Occlusion map",
    caption: "Occlusion: drop in P(COVID-19) when a patch hides the region",
  },
];

/**
 * Image-level classifiers beside the infection maps: P(COVID-19), the call, the class
 * activation map (relative: scaled to its maximum) and the occlusion map (absolute: the drop
 * in P(COVID-19) when a patch hides that region), both on the infection maps' colour scale.
 */
export function ClassifierMaps({
  classifiers,
  cxr,
  displayWidth: width,
  displayHeight: height,
  threshold,
}: {
  classifiers: ClassifierOutput[];
  cxr: string;
  displayWidth: number;
  displayHeight: number;
  threshold: number;
}) {
  return (
    <div className="space-y-4" data-testid="classifier-results">
      {classifiers.map((c) => (
        <div key={c.id} className="space-y-2" data-testid="classifier-result">
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <span className="font-medium">{c.label}</span>
            <span data-testid="classifier-prob" className="tabular-nums">
              P(COVID-19) = {c.prob.toFixed(3)}
            </span>
            <Badge tone={c.positive ? "bad" : "ok"}>{c.positive ? "COVID-19 positive" : "negative"}</Badge>
            <span className="text-xs text-muted">at threshold {threshold}</span>
          </div>
          <div className="grid gap-3 md:grid-cols-2">
            {mapsOf(c).map((m) => (
              <figure key={m.testId} className="space-y-1" data-testid={m.testId}>
                <OverlayViewer
                  baseSrc={cxr}
                  overlaySrc={m.src}
                  width={width}
                  height={height}
                  alt={`${m.name} of ${c.label}`}
                />
                <figcaption className="text-xs text-muted">{m.caption}</figcaption>
              </figure>
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
