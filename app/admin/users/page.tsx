import { notFound } from "next/navigation";
import { requirePageUser } from "@/app/_lib/session";
import { listUsers } from "@/lib/users/queries";
import { Badge, Card } from "@/app/_components/ui";
import { NewUserForm } from "./new-user-form";
import { UserStatusButton } from "./user-status-button";

export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const user = await requirePageUser();
  if (!user.isAdmin) notFound();
  const users = await listUsers();
  return (
    <div className="space-y-6">
      <Card title="Users">
        <table className="w-full text-sm">
          <thead className="text-left text-muted">
            <tr>
              <th className="py-1">Name</th>
              <th>Email</th>
              <th>Sign-in</th>
              <th>Projects and roles</th>
              <th>Last sign-in</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className="border-t border-line">
                <td className="py-1.5">
                  {u.name} {u.isAdmin ? <Badge tone="warn">ADMIN</Badge> : null}{" "}
                  {u.disabled ? <Badge tone="bad">disabled</Badge> : null}
                </td>
                <td>{u.email}</td>
                <td className="space-x-1">
                  {u.hasPassword ? <Badge>password</Badge> : null}
                  {u.ssoBound ? (
                    <Badge tone="ok">SSO linked</Badge>
                  ) : !u.hasPassword ? (
                    <Badge>SSO (not yet linked)</Badge>
                  ) : null}
                </td>
                <td className="space-x-1">
                  {u.memberships.map((m) => (
                    <Badge key={m.project.slug}>
                      {m.project.slug}: {m.roles.join("+")}
                    </Badge>
                  ))}
                </td>
                <td className="text-muted">{u.lastLoginAt?.toISOString().slice(0, 16).replace("T", " ") ?? "never"}</td>
                <td>
                  {u.id === user.userId ? null : (
                    <UserStatusButton userId={u.id} disabled={u.disabled} email={u.email} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card title="New user">
        <NewUserForm ssoAvailable={Boolean(process.env.OIDC_ISSUER)} />
      </Card>
    </div>
  );
}
