"use client";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Button, ErrorNote, Field } from "../_components/ui";

const messages: Record<string, string> = {
  CredentialsSignin: "Email or password is wrong.",
  RATE_LIMITED: "Too many failed attempts. Try again in 15 minutes.",
  AccessDenied: "This account is not allowed to sign in here.",
};

export function LoginForm({ initialError, sso }: { initialError: string | null; sso: string | null }) {
  const [error, setError] = useState<string | null>(initialError ? messages[initialError] ?? "Sign-in failed." : null);
  const [busy, setBusy] = useState(false);
  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    const f = new FormData(e.currentTarget);
    const r = await signIn("credentials", { email: f.get("email"), password: f.get("password"), redirect: false });
    setBusy(false);
    if (r?.ok) window.location.href = "/";
    else setError(messages[r?.error ?? ""] ?? "Sign-in failed.");
  }
  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg border border-line bg-panel p-5">
      <Field label="Email" name="email" type="email" autoComplete="username" required autoFocus />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required />
      <ErrorNote message={error} />
      <Button type="submit" disabled={busy} className="w-full">{busy ? "Signing in…" : "Sign in"}</Button>
      {sso ? (
        <Button type="button" variant="ghost" className="w-full" onClick={() => signIn("oidc", { callbackUrl: "/" })}>
          Sign in with {sso}
        </Button>
      ) : null}
    </form>
  );
}
