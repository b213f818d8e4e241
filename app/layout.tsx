import "./globals.css";
import type { ReactNode } from "react";
import type { Metadata } from "next";
import Link from "next/link";
import { currentUser } from "./_lib/session";
import { SignOutButton } from "./_components/sign-out-button";

export const dynamic = "force-dynamic";
export const metadata: Metadata = {
  title: "Tandem",
  description: "Collaborative chest X-ray infection annotation",
  // Files in public/ (the proxy's matcher lets them through untouched).
  manifest: "/manifest.webmanifest",
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "32x32" },
      { url: "/icon.svg", type: "image/svg+xml" },
    ],
    apple: [{ url: "/apple-touch-icon.png", sizes: "180x180" }],
  },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser().catch(() => null);
  return (
    <html lang="en">
      <body className="min-h-screen">
        <a href="#main" className="sr-only focus:not-sr-only">
          Skip to content
        </a>
        <header className="flex items-center justify-between border-b border-line bg-panel px-4 py-2">
          <nav className="flex items-center gap-4 text-sm" aria-label="Main">
            <Link href="/" className="font-semibold tracking-wide text-text">
              Tandem
            </Link>
            {user ? (
              <Link href="/" className="text-muted hover:text-text">
                Projects
              </Link>
            ) : null}
            {user?.isAdmin ? (
              <Link href="/admin/users" className="text-muted hover:text-text">
                Users
              </Link>
            ) : null}
            {user?.isAdmin ? (
              <Link href="/simulations" className="text-muted hover:text-text">
                Simulations
              </Link>
            ) : null}
          </nav>
          {user ? (
            <div className="flex items-center gap-3 text-sm text-muted">
              <span data-testid="signed-in-as">{user.email}</span>
              <SignOutButton />
            </div>
          ) : null}
        </header>
        <main id="main" className="mx-auto max-w-6xl p-4">
          {children}
        </main>
      </body>
    </html>
  );
}
