import { LoginForm } from "./login-form";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <h1 className="mb-1 text-xl font-semibold">Sign in to Tandem</h1>
      <p className="mb-6 text-sm text-muted">Collaborative infection-mask annotation for chest X-rays.</p>
      <LoginForm initialError={error ?? null} sso={process.env.OIDC_ISSUER ? process.env.OIDC_NAME ?? "Hospital SSO" : null} />
    </div>
  );
}
