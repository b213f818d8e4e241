import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "./auth-options";
import { getUser } from "@/lib/auth/queries";
import { AppError } from "@/lib/errors/app-error";
import type { Actor } from "@/lib/auth/types";

export type SessionUser = Actor & { email: string; name: string };

/** The signed-in user, re-read from the database so disabled accounts stop at once. */
export async function currentUser(): Promise<SessionUser | null> {
  const s = await getServerSession(authOptions());
  const uid = (s as { uid?: string } | null)?.uid;
  if (!uid) return null;
  const u = await getUser(uid);
  if (!u || u.disabled) return null;
  return { userId: u.id, isAdmin: u.isAdmin, email: u.email, name: u.name };
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
