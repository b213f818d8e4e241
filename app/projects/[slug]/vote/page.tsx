import { loadProject } from "@/app/_lib/load-project";
import { requirePageUser } from "@/app/_lib/session";
import { VoteBoard } from "@/app/_components/vote/vote-board";

export const dynamic = "force-dynamic";

export default async function VotePage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const loaded = await loadProject(user, slug, ["MD"]);
  return (
    <div className="space-y-3">
      <h1 className="text-lg font-semibold">{loaded.project.name} · blinded selection</h1>
      <VoteBoard projectId={loaded.project.id} />
    </div>
  );
}
