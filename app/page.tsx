import Link from "next/link";
import { requirePageUser } from "./_lib/session";
import { listProjectsFor, mayCreateProjects } from "@/lib/projects/queries";
import { Badge, Card } from "./_components/ui";

export const dynamic = "force-dynamic";

export default async function Home() {
  const user = await requirePageUser();
  const [projects, mayCreate] = await Promise.all([listProjectsFor(user), mayCreateProjects(user)]);
  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="text-xl font-semibold">Projects</h1>
        {mayCreate ? (
          <Link
            href="/projects/new"
            className="rounded-md bg-accent-strong px-3 py-1.5 text-sm font-medium text-white hover:bg-accent"
          >
            New project
          </Link>
        ) : null}
      </div>
      {projects.length === 0 ? (
        <Card>
          <p className="text-sm text-muted">
            You are not a member of any project yet. A lead or an administrator can add you.
          </p>
        </Card>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2" aria-label="Projects">
          {projects.map((p) => (
            <li key={p.id}>
              <Link
                href={`/projects/${p.slug}`}
                className="block rounded-lg border border-line bg-panel p-4 hover:border-accent"
              >
                <div className="flex items-center justify-between">
                  <span className="font-medium">{p.name}</span>
                  <span className="flex gap-1">
                    {p.roles.map((r) => (
                      <Badge key={r}>{r}</Badge>
                    ))}
                  </span>
                </div>
                <p className="mt-1 text-sm text-muted">
                  {p.imageCount.toLocaleString()} images ·{" "}
                  {p.currentStage === "STAGE_II"
                    ? "Stage II"
                    : p.currentStage === "STAGE_I"
                      ? "Stage I"
                      : "Not started"}
                </p>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
