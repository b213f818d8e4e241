import { db } from "../db/client";

export async function listUsers() {
  return db().user.findMany({
    orderBy: { createdAt: "asc" },
    select: {
      id: true, email: true, name: true, isAdmin: true, disabled: true, lastLoginAt: true,
      memberships: { select: { roles: true, project: { select: { slug: true } } } },
    },
  });
}
