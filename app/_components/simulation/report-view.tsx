import { StackedBar } from "../charts/stacked-bar";
import { colors } from "../charts/scale";
import { Card, TableHead } from "../ui";
import type { Interval, SimulationReport } from "@/lib/simulate/types";
import { ci, fixed, minutes, pct, signed } from "./format";

function PairedRow({
  name,
  protocol,
  manual,
  diff,
  digits,
  testId,
}: {
  name: string;
  protocol: number;
  manual: number;
  diff: Interval;
  digits: number;
  testId: string;
}) {
  return (
    <tr className="border-t border-line" data-testid={testId}>
      <th scope="row" className="py-1 font-normal">
        {name}
      </th>
      <td>{fixed(protocol, digits)}</td>
      <td>{fixed(manual, digits)}</td>
      <td>{ci(diff, (x) => signed(x, digits))}</td>
    </tr>
  );
}

const share = (i: Interval) => `${pct(i.estimate)} [${pct(i.lo)}, ${pct(i.hi)}]`;

/** The "Risk and votes" figures, in order; `text` ones are words rather than figures. */
function riskAndVotes(r: SimulationReport): { label: string; value: string; testId?: string; text?: boolean }[] {
  const votes = r.stage1MachinePreferred.votes + r.stage2Rejection.votes;
  return [
    {
      label: "Accepted machine masks most other readers would reject",
      value: `${r.riskyMachineShare.risky} of ${r.riskyMachineShare.machineAccepted} · ${share(r.riskyMachineShare)}`,
      testId: "risky-share",
    },
    {
      label: "Stage I: machine mask preferred",
      value: `${share(r.stage1MachinePreferred)} of images (${r.stage1MachinePreferred.votes} votes)`,
    },
    {
      label: "Stage II: every candidate rejected",
      value: `${share(r.stage2Rejection)} of images (${r.stage2Rejection.votes} votes)`,
    },
    { label: "Votes by the drawer of the hand-made candidate", value: `${r.votesOnOwnDrawing} of ${votes}` },
    {
      label: "Accepted masks by source",
      value:
        Object.entries(r.acceptedBySource)
          .map(([k, v]) => `${k.toLowerCase()} ${v}`)
          .join(", ") || "none",
      text: true,
    },
    {
      label: "Redraws",
      value: `${r.redraws.fromCandidate} from a candidate, ${r.redraws.fromScratch} from scratch`,
      text: true,
    },
  ];
}

/** One simulated project's paired report: protocol against drawing every COVID-19 image by hand. */
export function ReportView({ r }: { r: SimulationReport }) {
  return (
    <div className="space-y-4">
      <Card title="Paired comparison">
        <p className="mb-2 text-sm text-muted">
          {r.images} images ({r.covidImages} COVID-19), {r.readers} simulated readers, {r.models}, {r.rounds} rounds,{" "}
          {r.complete ? "complete" : "not complete"}. Same readers, images and seeds in both arms; differences are
          protocol − manual with image-level bootstrap 95% CIs.
        </p>
        <table className="w-full text-left text-sm" data-testid="paired-table">
          <caption className="sr-only">Protocol against drawing everything by hand</caption>
          <TableHead columns={["", "Protocol", "Manual only", "Difference [95% CI]"]} />
          <tbody className="tabular-nums">
            <PairedRow testId="row-dice" name="Mean Dice vs truth" {...r.dice} digits={3} />
            <PairedRow testId="row-f1" name="Pixel F1 vs truth" {...r.pixelF1} digits={3} />
            <PairedRow testId="row-seconds" name="MD-seconds per mask" {...r.mdSecondsPerMask} digits={1} />
          </tbody>
        </table>
        <p className="mt-2 text-sm" data-testid="time-ratio">
          MD-time ratio, protocol / manual:{" "}
          <span className="tabular-nums">{ci(r.mdSecondsPerMask.ratio, (x) => fixed(x, 2))}</span>
        </p>
        <p className="mt-1 text-xs text-muted">
          Simulated inter-reader Dice on these images: {fixed(r.interReaderDice)} (calibration target 0.60–0.80).
        </p>
      </Card>
      <Card title="Risk and votes">
        <dl className="grid gap-3 text-sm sm:grid-cols-2">
          {riskAndVotes(r).map((f) => (
            <div key={f.label} data-testid={f.testId}>
              <dt className="text-muted">{f.label}</dt>
              <dd className={f.text ? undefined : "tabular-nums"}>{f.value}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <Card title="MD time">
        <StackedBar
          title={`Protocol: ${minutes(r.mdSeconds.draw + r.mdSeconds.edit + r.mdSeconds.vote + r.mdSeconds.confirm)} of MD time; manual arm ${minutes(r.mdSeconds.manualArm)}`}
          segments={[
            { label: `Drawing ${minutes(r.mdSeconds.draw)}`, value: r.mdSeconds.draw, color: colors.accent },
            { label: `Editing ${minutes(r.mdSeconds.edit)}`, value: r.mdSeconds.edit, color: colors.ok },
            { label: `Voting ${minutes(r.mdSeconds.vote)}`, value: r.mdSeconds.vote, color: colors.warn },
            { label: `Confirming ${minutes(r.mdSeconds.confirm)}`, value: r.mdSeconds.confirm, color: colors.muted },
          ]}
        />
      </Card>
    </div>
  );
}
