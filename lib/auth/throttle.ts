import { AppError } from "../errors/app-error";

// Login throttling has two independent keys. An account key slows and then locks only that
// account; an address key limits one client. The address key exists only when Tandem knows the
// client's address (TRUST_PROXY hops): without a trusted proxy the address a route handler sees
// is a header the client may have written itself, so limiting on it would let anyone lock out
// everyone sharing a forged value.

export type ThrottleState = {
  failures: number;
  windowStart: Date;
  lockedUntil: Date | null;
  nextAttemptAt: Date | null;
};

export type ThrottlePolicy = {
  windowMs: number;
  /** Failures answered at full speed before the slow-down starts. */
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures in one window that lock the key. */
  lockAfter: number;
  lockMs: number;
};

export const accountPolicy: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  lockAfter: 10,
  lockMs: 15 * 60_000,
};

export const addressPolicy: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  freeFailures: 30,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  lockAfter: 40,
  lockMs: 15 * 60_000,
};

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
export const addressKey = (address: string) => `address:${address}`;

/** The slow-down and lock that follow a failure count within the window. */
export function afterFailure(
  policy: ThrottlePolicy,
  failures: number,
  now: Date,
): { nextAttemptAt: Date | null; lockedUntil: Date | null } {
  const over = failures - policy.freeFailures;
  const delay = over > 0 ? Math.min(policy.baseDelayMs * 2 ** (over - 1), policy.maxDelayMs) : 0;
  return {
    nextAttemptAt: delay ? new Date(now.getTime() + delay) : null,
    lockedUntil: failures >= policy.lockAfter ? new Date(now.getTime() + policy.lockMs) : null,
  };
}

const seconds = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));

/** Throws RATE_LIMITED with a message naming what is limited and for how long. */
export function checkThrottle(kind: "account" | "address", t: ThrottleState | null, now: Date): void {
  if (!t) return;
  if (t.lockedUntil && t.lockedUntil > now) {
    const s = seconds(t.lockedUntil, now);
    const minutes = Math.ceil(s / 60);
    throw new AppError(
      "RATE_LIMITED",
      kind === "account"
        ? `This account is locked after too many wrong passwords; try again in ${minutes} minute${minutes === 1 ? "" : "s"} or ask an administrator`
        : `Too many failed sign-ins from your network; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`,
      { scope: kind, state: "locked", retryAfterSeconds: s },
    );
  }
  if (t.nextAttemptAt && t.nextAttemptAt > now) {
    const s = seconds(t.nextAttemptAt, now);
    throw new AppError(
      "RATE_LIMITED",
      kind === "account"
        ? `Several wrong passwords for this account: wait ${s} second${s === 1 ? "" : "s"} before trying again`
        : `Too many failed sign-ins from your network: wait ${s} second${s === 1 ? "" : "s"}`,
      { scope: kind, state: "slowed", retryAfterSeconds: s },
    );
  }
}

/**
 * The client's address, taken `trustedHops` entries from the right of X-Forwarded-For (each
 * trusted proxy appends the address it saw, so entries further left are the client's own
 * claims). With no trusted hops there is no address: see the note at the top.
 */
export function clientAddress(forwardedFor: string | string[] | undefined | null, trustedHops: number): string | null {
  if (trustedHops <= 0 || !forwardedFor) return null;
  const parts = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length) return null;
  return parts[Math.max(0, parts.length - trustedHops)];
}
