import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { createProject } from "@/lib/projects/mutations";
import { listProjectsFor } from "@/lib/projects/queries";
import { createProjectSchema } from "@/lib/projects/schema";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const user = await requireUser();
  return Response.json({ projects: await listProjectsFor(user) });
});

export const POST = route(async (req) => {
  const user = await requireUser();
  const input = createProjectSchema.parse(await jsonBody(req));
  const project = await createProject(user, input);
  return Response.json({ project: { id: project.id, slug: project.slug } }, { status: 201 });
});
