"use client";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Button, ErrorNote, Field } from "../_components/ui";
import { loginMessage } from "./messages";

export function LoginForm({
  initialError,
  sso,
  passwords,
}: {
  initialError: string | null;
  sso: string | null;
  passwords: boolean;
}) {
  const [error, setError] = useState<string | null>(loginMessage(initialError));
  const [busy, setBusy] = useState(false);
  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    const f = new FormData(e.currentTarget);
    const r = await signIn("credentials", { email: f.get("email"), password: f.get("password"), redirect: false });
    setBusy(false);
    if (r?.ok) window.location.href = "/";
    else setError(loginMessage(r?.error ?? "Failed"));
  }
  const ssoButton = sso ? (
    <Button
      type="button"
      variant={passwords ? "ghost" : "primary"}
      className="w-full"
      onClick={() => signIn("oidc", { callbackUrl: "/" })}
    >
      Sign in with {sso}
    </Button>
  ) : null;
  if (!passwords) {
    return (
      <div className="space-y-4 rounded-lg border border-line bg-panel p-5">
        <ErrorNote message={error} />
        {ssoButton}
      </div>
    );
  }
  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg border border-line bg-panel p-5">
      <Field label="Email" name="email" type="email" autoComplete="username" required autoFocus />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required />
      <ErrorNote message={error} />
      <Button type="submit" disabled={busy} className="w-full">
        {busy ? "Signing in…" : "Sign in"}
      </Button>
      {ssoButton}
    </form>
  );
}
