import { notFound } from "next/navigation";
import { requirePageUser } from "@/app/_lib/session";
import { loadDashboardBySlug } from "@/lib/dashboard/queries";
import { isAppError } from "@/lib/errors/app-error";
import { Card } from "@/app/_components/ui";
import { DashboardView } from "@/app/_components/dashboard/dashboard-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Dashboard · Tandem" };

export default async function DashboardPage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requirePageUser();
  const { slug } = await params;
  const loaded = await loadDashboardBySlug(user, slug).catch((e) => {
    if (isAppError(e) && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN")) return e.code;
    throw e;
  });
  if (loaded === "NOT_FOUND") notFound();
  if (loaded === "FORBIDDEN") {
    return (
      <Card title="Dashboard">
        <p role="alert" data-testid="forbidden" className="text-sm text-bad">
          Only the project&apos;s leads can open its dashboard.
        </p>
      </Card>
    );
  }
  return <DashboardView d={loaded} actor={{ userId: user.userId, isAdmin: user.isAdmin }} />;
}
