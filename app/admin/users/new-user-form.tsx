"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button, ErrorNote, Field } from "@/app/_components/ui";

/** Creates an account: single sign-on only (no password) or with a password. */
export function NewUserForm({ ssoAvailable }: { ssoAvailable: boolean }) {
  const router = useRouter();
  const [ssoOnly, setSsoOnly] = useState(ssoAvailable);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setBusy(true);
    setError(null);
    const body = {
      email: String(f.get("email") ?? ""),
      name: String(f.get("name") ?? ""),
      isAdmin: f.get("isAdmin") === "on",
      ...(ssoOnly ? {} : { password: String(f.get("password") ?? "") }),
    };
    const r = await fetch("/api/admin/users", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    setBusy(false);
    if (r.ok) {
      form.reset();
      router.refresh();
      return;
    }
    const j = (await r.json().catch(() => null)) as {
      error?: { message?: string; issues?: { path: string; message: string }[] };
    } | null;
    const issue = j?.error?.issues?.[0];
    setError(
      issue ? `${issue.path}: ${issue.message}` : (j?.error?.message ?? `Could not create the user (${r.status})`),
    );
  }
  return (
    <form onSubmit={submit} aria-label="New user" className="space-y-3">
      <div className="grid grid-cols-2 gap-3">
        <Field label="Email" name="email" type="email" required />
        <Field label="Full name" name="name" required />
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={ssoOnly} onChange={(e) => setSsoOnly(e.target.checked)} />
        Single sign-on only (no password; the first hospital sign-in with this email links the account)
      </label>
      {ssoOnly ? null : (
        <Field
          label="Initial password"
          name="password"
          type="password"
          minLength={10}
          required
          autoComplete="new-password"
        />
      )}
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="isAdmin" /> Administrator
      </label>
      <ErrorNote message={error} />
      <Button type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create user"}
      </Button>
    </form>
  );
}
