"use client";

// Tandem's own error page, for the same reason as not-found.tsx (no inline <style>).
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="mx-auto mt-16 max-w-md text-center">
      <h1 className="mb-2 text-xl font-semibold">Something went wrong</h1>
      <p className="mb-4 text-sm text-muted">
        The error has been logged. Try again; tell the administrator if it persists.
      </p>
      <button className="rounded border border-line px-3 py-1 text-sm" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
