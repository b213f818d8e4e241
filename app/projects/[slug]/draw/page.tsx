import { notFound } from "next/navigation";
import { requirePageUser } from "@/app/_lib/session";
import { getProjectForActor } from "@/lib/projects/queries";
import { isAppError } from "@/lib/errors/app-error";
import { DrawQueue } from "@/app/_components/draw/draw-queue";

export const dynamic = "force-dynamic";
export const metadata = { title: "Draw · Tandem" };

/** The MD's drawing workspace; the queue claims tasks from the browser, never on a GET. */
export default async function DrawPage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const loaded = await getProjectForActor(user, slug, ["MD"]).catch((e) => {
    if (isAppError(e) && e.code === "NOT_FOUND") return null;
    if (isAppError(e) && e.code === "FORBIDDEN") return "forbidden" as const;
    throw e;
  });
  if (!loaded) notFound();
  if (loaded === "forbidden") {
    return <p className="text-sm text-muted">Drawing needs the MD role in this project.</p>;
  }
  return <DrawQueue projectId={loaded.project.id} projectSlug={loaded.project.slug} />;
}
