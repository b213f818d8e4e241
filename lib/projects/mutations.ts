import "server-only";
import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import { recordAudit } from "../audit/mutations";
import { requireProjectRole } from "../auth/authorize";
import { mayCreateProjects } from "./queries";
import type { Actor } from "../auth/types";
import {
  addMemberSchema,
  createProjectSchema,
  ingestColumns,
  ingestSettingsSchema,
  precisionSchema,
  type CreateProjectInput,
  type IngestSettingsInput,
} from "./schema";
import type { z } from "zod";

/** Admins and leads may create projects; the creator becomes the new project's lead. */
export async function createProject(actor: Actor, input: CreateProjectInput) {
  if (!(await mayCreateProjects(actor))) {
    throw new AppError("FORBIDDEN", "Only administrators and leads can create projects");
  }
  const { settings, ingest, ...p } = createProjectSchema.parse(input);
  const taken = await db().project.findUnique({ where: { slug: p.slug }, select: { id: true } });
  if (taken) throw new AppError("CONFLICT", `The address "${p.slug}" is taken`);
  return db().$transaction(async (tx) => {
    const project = await tx.project.create({
      data: {
        ...p,
        ...settings,
        ...ingestColumns(ingest),
        createdById: actor.userId,
        memberships: { create: { userId: actor.userId, roles: ["LEAD"] } },
      },
    });
    await recordAudit(
      {
        action: "project.create",
        objectType: "Project",
        objectId: project.id,
        projectId: project.id,
        actorId: actor.userId,
        after: { slug: p.slug, settings, ingest },
      },
      tx,
    );
    return project;
  });
}

export async function addMember(actor: Actor, projectId: string, input: z.input<typeof addMemberSchema>) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const { email, roles } = addMemberSchema.parse(input);
  const user = await db().user.findUnique({ where: { email: email.toLowerCase() }, select: { id: true } });
  if (!user) throw new AppError("NOT_FOUND", "No user with this email; an administrator must create the account first");
  const m = await db().membership.upsert({
    where: { projectId_userId: { projectId, userId: user.id } },
    create: { projectId, userId: user.id, roles },
    update: { roles },
  });
  await recordAudit({
    action: "project.member_set",
    objectType: "Membership",
    objectId: m.id,
    projectId,
    actorId: actor.userId,
    after: { userId: user.id, roles },
  });
  return m;
}

/** Changes what ingest does with DICOM from now on (leads only); images already stored stay as they are. */
export async function updateIngestSettings(actor: Actor, projectId: string, input: IngestSettingsInput) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const ingest = ingestSettingsSchema.parse(input);
  return db().$transaction(async (tx) => {
    await tx.project.update({ where: { id: projectId }, data: ingestColumns(ingest) });
    await recordAudit(
      {
        action: "project.ingest_set",
        objectType: "Project",
        objectId: projectId,
        projectId,
        actorId: actor.userId,
        after: ingest,
      },
      tx,
    );
    return ingest;
  });
}

/** The lead switches prediction between the float models and their int8 quantisations (new predictions only). */
export async function setInferencePrecision(actor: Actor, projectId: string, input: z.input<typeof precisionSchema>) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const { precision } = precisionSchema.parse(input);
  const before = await db().project.findUniqueOrThrow({
    where: { id: projectId },
    select: { inferencePrecision: true },
  });
  if (before.inferencePrecision === precision) return { precision, changed: false };
  await db().$transaction(async (tx) => {
    await tx.project.update({ where: { id: projectId }, data: { inferencePrecision: precision } });
    await recordAudit(
      {
        action: "project.inference_precision",
        objectType: "Project",
        objectId: projectId,
        projectId,
        actorId: actor.userId,
        before: { precision: before.inferencePrecision },
        after: { precision },
      },
      tx,
    );
  });
  return { precision, changed: true };
}
