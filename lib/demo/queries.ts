import "server-only";
import { db } from "../db/client";

export async function countOpen(projectId: string) {
  return db().task.count({ where: { projectId, kind: "MANUAL", status: { in: ["OPEN", "CLAIMED"] } } });
}
