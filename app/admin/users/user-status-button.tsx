"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";

/** Disables (signing the user out everywhere at once) or re-enables an account. */
export function UserStatusButton({ userId, disabled, email }: { userId: string; disabled: boolean; email: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  async function toggle() {
    const r = await fetch(`/api/admin/users/${userId}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ disabled: !disabled }),
    });
    if (r.ok) router.refresh();
    else
      setError(
        ((await r.json().catch(() => null)) as { error?: { message?: string } } | null)?.error?.message ?? "Failed",
      );
  }
  return (
    <span>
      <button
        type="button"
        onClick={() => void toggle()}
        aria-label={`${disabled ? "Enable" : "Disable"} ${email}`}
        className="rounded border border-line px-2 py-0.5 text-xs hover:bg-panel-2"
      >
        {disabled ? "Enable" : "Disable"}
      </button>
      {error ? (
        <span role="alert" className="ml-2 text-xs text-bad">
          {error}
        </span>
      ) : null}
    </span>
  );
}
