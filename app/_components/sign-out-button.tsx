"use client";
import { signOut } from "next-auth/react";

export function SignOutButton() {
  return (
    <button className="rounded border border-line px-2 py-1 hover:bg-panel-2" onClick={() => signOut({ callbackUrl: "/login" })}>
      Sign out
    </button>
  );
}
