import { orNotFound } from "@/app/_lib/or-not-found";
import { requirePageUser } from "@/app/_lib/session";
import { importPageData } from "@/lib/imports/queries";
import { ImportPanel } from "@/app/_components/import/import-panel";
import { ingestSettings } from "@/lib/projects/queries";
import { IngestSettingsForm } from "./ingest-settings-form";

export const dynamic = "force-dynamic";

export default async function ImportPage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const data = await orNotFound(importPageData(user, slug));
  const ingest = await ingestSettings(data.project.id); // importPageData has checked the lead role
  return (
    <div className="space-y-3">
      <h1 className="text-lg font-semibold">{data.project.name} · import images</h1>
      <IngestSettingsForm projectId={data.project.id} initial={ingest} />
      <ImportPanel
        projectId={data.project.id}
        maxUploadBytes={data.maxUploadBytes}
        recent={data.recent.map((b) => ({
          ...b,
          createdAt: b.createdAt.toISOString(),
          finishedAt: b.finishedAt?.toISOString() ?? null,
        }))}
      />
    </div>
  );
}
