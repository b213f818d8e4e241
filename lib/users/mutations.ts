import "server-only";
import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import { recordAudit } from "../audit/mutations";
import { requireAdmin } from "../auth/authorize";
import { revokeUserSessions } from "../auth/mutations";
import type { Actor } from "../auth/types";

/** Disables (and signs out everywhere at once) or re-enables an account. */
export async function setUserDisabled(actor: Actor, userId: string, disabled: boolean) {
  requireAdmin(actor);
  if (disabled && userId === actor.userId) throw new AppError("BAD_REQUEST", "You cannot disable your own account");
  const r = await db().user.updateMany({ where: { id: userId }, data: { disabled } });
  if (!r.count) throw new AppError("NOT_FOUND", "User not found");
  const revoked = disabled ? await revokeUserSessions(userId) : 0;
  await recordAudit({
    action: disabled ? "user.disable" : "user.enable",
    objectType: "User",
    objectId: userId,
    actorId: actor.userId,
    after: { disabled, sessionsRevoked: revoked },
  });
}

/** Grants or removes administration; takes effect on the user's next request. */
export async function setUserAdmin(actor: Actor, userId: string, isAdmin: boolean) {
  requireAdmin(actor);
  if (!isAdmin && userId === actor.userId)
    throw new AppError("BAD_REQUEST", "You cannot remove your own administrator role");
  const r = await db().user.updateMany({ where: { id: userId }, data: { isAdmin } });
  if (!r.count) throw new AppError("NOT_FOUND", "User not found");
  await recordAudit({
    action: "user.admin_set",
    objectType: "User",
    objectId: userId,
    actorId: actor.userId,
    after: { isAdmin },
  });
}
