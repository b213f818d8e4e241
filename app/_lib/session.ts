import { cache } from "react";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "./auth-options";
import { findActiveSession } from "@/lib/auth/queries";
import { AppError } from "@/lib/errors/app-error";
import type { Actor } from "@/lib/auth/types";

export type SessionUser = Actor & { email: string; name: string };

/**
 * The signed-in user. The cookie names a session row, checked on every request together with
 * the user, so sign-out, revocation and disabling a user take effect at once; roles are read
 * from the database by each domain call. Looked up once per page render: the root layout and
 * the page share it (React's per-request cache; route handlers and actions look it up each call).
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const s = await getServerSession(authOptions());
  const sid = (s as { sid?: string } | null)?.sid;
  if (!sid) return null;
  const u = await findActiveSession(sid);
  if (!u) return null;
  return { userId: u.id, isAdmin: u.isAdmin, email: u.email, name: u.name };
});

/** The current session id, for signing out. */
export async function currentSessionId(): Promise<string | null> {
  const s = await getServerSession(authOptions());
  return (s as { sid?: string } | null)?.sid ?? null;
}

/** For route handlers and server actions: throws UNAUTHENTICATED. */
export async function requireUser(): Promise<SessionUser> {
  const u = await currentUser();
  if (!u) throw new AppError("UNAUTHENTICATED", "Sign in first");
  return u;
}

/** For pages: redirects to the sign-in page. */
export async function requirePageUser(): Promise<SessionUser> {
  const u = await currentUser();
  if (!u) redirect("/login");
  return u;
}
