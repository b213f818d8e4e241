import Link from "next/link";
import { orNotFound } from "@/app/_lib/or-not-found";
import { requirePageUser } from "@/app/_lib/session";
import { loadExportsPage } from "@/lib/exports/queries";
import { ExportPanel } from "@/app/_components/exports/export-panel";

export const dynamic = "force-dynamic";

export default async function ExportsPage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const data = await orNotFound(loadExportsPage(user, slug));
  return (
    <div className="space-y-3">
      <h1 className="text-lg font-semibold">{data.project.name} · dataset exports</h1>
      <p className="text-sm text-muted">
        Exports hold the accepted masks only, in the Tandem flat layout or the QaTa-COV19 v1 layout, with COCO,
        metadata, splits, a manifest and a datasheet. The same project state and options always give the same archive
        and dataset version.
      </p>
      <p className="text-sm" data-testid="held-back">
        {data.heldBack === 0 ? (
          <span className="text-muted">No image is held back for burned-in text.</span>
        ) : (
          <>
            <span className="text-warn">
              {data.heldBack} image{data.heldBack === 1 ? " is" : "s are"} held back from exports until a lead reviews
              possible burned-in text.
            </span>{" "}
            <Link href={`/projects/${data.project.slug}/review/burned-in`} className="underline">
              Review them
            </Link>
          </>
        )}
      </p>
      <ExportPanel projectId={data.project.id} initial={data.exports} sources={data.sources} />
    </div>
  );
}
