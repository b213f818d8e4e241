import { json, route } from "@/app/_lib/route";
import { createProject } from "@/lib/projects/mutations";
import { listProjectsFor } from "@/lib/projects/queries";
import { createProjectSchema } from "@/lib/projects/schema";

export const dynamic = "force-dynamic";

export const GET = route({}, async ({ user }) => Response.json({ projects: await listProjectsFor(user) }));

export const POST = route({ body: json(createProjectSchema) }, async ({ user, body }) => {
  const project = await createProject(user, body);
  return Response.json({ project: { id: project.id, slug: project.slug } }, { status: 201 });
});
