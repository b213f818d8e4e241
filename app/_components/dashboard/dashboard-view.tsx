import { Suspense } from "react";
import Link from "next/link";
import type { Actor } from "@/lib/auth/types";
import type { Dashboard } from "@/lib/dashboard/types";
import { StagePanel } from "./stage-panel";
import { ProgressPanel } from "./progress-panel";
import { LabourPanel } from "./labour-panel";
import { MdTable } from "./md-table";
import { AgreementPanel } from "./agreement-panel";
import { DicePanel } from "./dice-panel";
import { DisputedList } from "./disputed-list";
import { ModelsPanel } from "./models-panel";
import { LivePanel } from "./live-panel";
import { BurnedInLink } from "../review/burned-in-link";
import { BlindPanel } from "./blind-panel";
import { SmartToolPanel } from "./smart-tool-panel";

export function DashboardView({ d, actor }: { d: Dashboard; actor: Actor }) {
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">{d.project.name} · dashboard</h1>
        <p className="text-xs text-muted">
          <Link href={`/projects/${d.project.slug}`} className="hover:text-text">
            Project
          </Link>{" "}
          · as of {d.generatedAt.slice(11, 19)} UTC ·{" "}
          <span title="Server time to compute the figures">{Math.round(d.timings.total ?? 0)} ms</span>
        </p>
      </div>
      <BurnedInLink projectId={d.project.id} slug={d.project.slug} />
      <StagePanel d={d} />
      <ProgressPanel d={d} />
      <LivePanel projectId={d.project.id} initial={d.live} />
      <LabourPanel d={d} />
      <MdTable d={d} />
      <AgreementPanel
        d={d}
        dice={
          <Suspense fallback={<p className="text-sm text-muted">Comparing the chosen masks…</p>}>
            <DicePanel actor={actor} projectId={d.project.id} />
          </Suspense>
        }
      />
      <BlindPanel d={d} />
      <DisputedList d={d} />
      <ModelsPanel d={d} />
      <Suspense fallback={<p className="text-sm text-muted">Loading the Smart tool…</p>}>
        <SmartToolPanel actor={actor} projectId={d.project.id} />
      </Suspense>
    </div>
  );
}
