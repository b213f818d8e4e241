import { notFound } from "next/navigation";
import { requirePageUser } from "@/app/_lib/session";
import { getProjectForActor } from "@/lib/projects/queries";
import { isAppError } from "@/lib/errors/app-error";
import { VoteBoard } from "@/app/_components/vote/vote-board";

export const dynamic = "force-dynamic";

export default async function VotePage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const loaded = await getProjectForActor(user, slug, ["MD"]).catch((e) => {
    if (isAppError(e) && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN")) return null;
    throw e;
  });
  if (!loaded) notFound();
  return (
    <div className="space-y-3">
      <h1 className="text-lg font-semibold">{loaded.project.name} · blinded selection</h1>
      <VoteBoard projectId={loaded.project.id} />
    </div>
  );
}
