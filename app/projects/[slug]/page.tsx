import { notFound } from "next/navigation";
import { requirePageUser } from "@/app/_lib/session";
import { getProjectForActor } from "@/lib/projects/queries";
import { isAppError } from "@/lib/errors/app-error";
import { Badge, Card } from "@/app/_components/ui";

export const dynamic = "force-dynamic";

export default async function ProjectPage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const loaded = await getProjectForActor(user, slug).catch((e) => {
    if (isAppError(e) && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN")) return null;
    throw e;
  });
  if (!loaded) notFound();
  const { project, roles } = loaded;
  return (
    <div className="space-y-4">
      <div className="flex items-center gap-3">
        <h1 className="text-xl font-semibold">{project.name}</h1>
        {roles.map((r) => <Badge key={r}>{r}</Badge>)}
      </div>
      {project.description ? <p className="text-sm text-muted">{project.description}</p> : null}
      <Card title="Protocol">
        <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
          <div><dt className="text-muted">Folds</dt><dd>{project.folds}</dd></div>
          <div><dt className="text-muted">Votes per image</dt><dd>{project.votesPerImage}</dd></div>
          <div><dt className="text-muted">Stage-I selection</dt><dd>{project.selectionMode === "NWAY" ? "n-way" : "pairwise"}</dd></div>
          <div><dt className="text-muted">Stage</dt><dd>{project.currentStage ?? "Not started"}</dd></div>
        </dl>
      </Card>
    </div>
  );
}
