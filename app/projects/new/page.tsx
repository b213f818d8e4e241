import { requirePageUser } from "@/app/_lib/session";
import { NewProjectForm } from "./new-project-form";

export default async function NewProjectPage() {
  await requirePageUser();
  return (
    <div className="mx-auto max-w-xl space-y-4">
      <h1 className="text-xl font-semibold">New project</h1>
      <NewProjectForm />
    </div>
  );
}
