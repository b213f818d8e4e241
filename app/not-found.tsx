import Link from "next/link";

// Tandem's own 404 (also what a page shows when the object is not the caller's): Next's built-in
// one carries an inline <style> without the CSP nonce, which the page policy blocks.
export default function NotFound() {
  return (
    <div className="mx-auto mt-16 max-w-md text-center">
      <h1 className="mb-2 text-xl font-semibold">404 — not found</h1>
      <p className="mb-4 text-sm text-muted">This page does not exist, or it is not shared with you.</p>
      <Link href="/" className="text-sm underline">
        Back to your projects
      </Link>
    </div>
  );
}
