"use client";
import "./globals.css";

// Replaces the root layout when it fails; Next's built-in one has an inline <style> the CSP blocks.
export default function GlobalError({ reset }: { error: Error; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        <main className="mx-auto mt-16 max-w-md text-center">
          <h1 className="mb-2 text-xl font-semibold">Tandem could not load this page</h1>
          <button className="rounded border border-line px-3 py-1 text-sm" onClick={reset}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
