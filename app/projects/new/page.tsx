import { requirePageUser } from "@/app/_lib/session";
import { mayCreateProjects, newProjectDefaults } from "@/lib/projects/queries";
import { Card } from "@/app/_components/ui";
import { NewProjectForm } from "./new-project-form";

export default async function NewProjectPage() {
  const user = await requirePageUser();
  if (!(await mayCreateProjects(user))) {
    return (
      <div className="mx-auto max-w-xl space-y-4">
        <h1 className="text-xl font-semibold">New project</h1>
        <Card>
          <p className="text-sm text-muted" data-testid="may-not-create">
            Only administrators and leads can create projects. Ask an administrator to create one, or to make you a
            lead.
          </p>
        </Card>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-xl space-y-4">
      <h1 className="text-xl font-semibold">New project</h1>
      <NewProjectForm defaults={await newProjectDefaults()} />
    </div>
  );
}
