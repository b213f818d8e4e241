"use client";
import { signOut } from "next-auth/react";

export function SignOutButton() {
  async function signOutEverywhere() {
    let next = "/login";
    try {
      const r = await fetch("/api/session/logout", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      if (r.ok) next = ((await r.json()) as { redirect?: string }).redirect ?? next;
    } catch {
      /* the cookie is still cleared below */
    }
    await signOut({ redirect: false });
    window.location.href = next;
  }
  return (
    <button className="rounded border border-line px-2 py-1 hover:bg-panel-2" onClick={() => void signOutEverywhere()}>
      Sign out
    </button>
  );
}
