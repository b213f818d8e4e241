// What the login page says for each sign-in refusal: what happened and what to do.
export const loginMessages: Record<string, string> = {
  CredentialsSignin: "Email or password is wrong.",
  RATE_LIMITED: "Too many failed attempts. Wait a few minutes and try again.",
  AccessDenied: "This account is not allowed to sign in here. Ask a Tandem administrator.",
  SsoMissingClaim:
    "Your hospital sign-in did not tell Tandem who you are (a required claim is missing). Ask your IT service desk to release the email claim to Tandem.",
  SsoEmailNotVerified:
    "Your hospital account's email address is not marked as verified, so Tandem cannot trust it. Ask your IT service desk to verify it, then sign in again.",
  SsoDomainNotAllowed:
    "Accounts from this email domain may not use Tandem. Sign in with your hospital account, or ask a Tandem administrator.",
  SsoUnknownUser:
    "There is no Tandem account for your hospital identity. Ask a Tandem administrator to create one with your hospital email, then sign in again.",
  SsoIdentityMismatch:
    "This Tandem account is already linked to a different hospital identity. Sign out of the hospital portal and sign in as yourself, or ask a Tandem administrator.",
  SsoDisabled: "This Tandem account is disabled. Ask a Tandem administrator.",
  OAuthCallback:
    "The hospital sign-in could not be completed (the request expired or was altered). Start again from this page.",
  OAuthSignin:
    "Tandem could not reach the hospital sign-in service. Try again in a minute; if it persists, tell your Tandem administrator.",
  Callback: "The hospital sign-in could not be completed. Start again from this page.",
};

export function loginMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  // Rate limits carry their own message, naming what is limited and for how long.
  if (code.startsWith("RATE_LIMITED:")) return code.slice("RATE_LIMITED:".length);
  return loginMessages[code] ?? "Sign-in failed. Try again, or ask a Tandem administrator.";
}
