import { env } from "@/lib/config/env";
import { LoginForm } from "./login-form";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  const e = env();
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <h1 className="mb-1 text-xl font-semibold">Sign in to Tandem</h1>
      <p className="mb-6 text-sm text-muted">Collaborative infection-mask annotation for chest X-rays.</p>
      <LoginForm initialError={error ?? null} sso={e.OIDC_ISSUER ? e.OIDC_NAME : null} passwords={e.PASSWORD_LOGIN} />
    </div>
  );
}
