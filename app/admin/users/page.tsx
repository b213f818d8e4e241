import { notFound } from "next/navigation";
import { requirePageUser } from "@/app/_lib/session";
import { listUsers } from "@/lib/users/queries";
import { Badge, Card } from "@/app/_components/ui";

export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const user = await requirePageUser();
  if (!user.isAdmin) notFound();
  const users = await listUsers();
  return (
    <Card title="Users">
      <table className="w-full text-sm">
        <thead className="text-left text-muted"><tr><th className="py-1">Name</th><th>Email</th><th>Projects and roles</th><th>Last sign-in</th></tr></thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} className="border-t border-line">
              <td className="py-1.5">{u.name} {u.isAdmin ? <Badge tone="warn">ADMIN</Badge> : null}</td>
              <td>{u.email}</td>
              <td className="space-x-1">{u.memberships.map((m) => <Badge key={m.project.slug}>{m.project.slug}: {m.roles.join("+")}</Badge>)}</td>
              <td className="text-muted">{u.lastLoginAt?.toISOString().slice(0, 16).replace("T", " ") ?? "never"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
