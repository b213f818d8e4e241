import "server-only";
import { db } from "../db/client";

export async function listUsers() {
  const rows = await db().user.findMany({
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      email: true,
      name: true,
      isAdmin: true,
      disabled: true,
      lastLoginAt: true,
      passwordHash: true,
      ssoSubject: true,
      memberships: { select: { roles: true, project: { select: { slug: true } } } },
    },
  });
  // Never hand out the hash: only whether a password and a single sign-on identity exist.
  return rows.map(({ passwordHash, ssoSubject, ...u }) => ({
    ...u,
    hasPassword: passwordHash !== null,
    ssoBound: ssoSubject !== null,
  }));
}
