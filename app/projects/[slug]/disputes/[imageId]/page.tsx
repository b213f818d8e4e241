import { notFound } from "next/navigation";
import { requirePageUser } from "@/app/_lib/session";
import { revealCandidates } from "@/lib/voting/queries";
import { orNotFound } from "@/app/_lib/or-not-found";
import { ResolveDispute } from "@/app/_components/disputes/resolve-dispute";
import { imageLabel } from "@/lib/labels/short-id";

export const dynamic = "force-dynamic";

export default async function DisputePage({ params }: { params: Promise<{ slug: string; imageId: string }> }) {
  const user = await requirePageUser();
  const { slug, imageId } = await params;
  const candidates = await orNotFound(revealCandidates(user, imageId));
  if (!candidates.length) notFound();
  const latestRound = candidates[candidates.length - 1].roundId;
  return (
    <div className="space-y-3">
      <h1 className="text-lg font-semibold">Settle a tied vote · {imageLabel(imageId)}</h1>
      <p className="text-sm text-muted">
        The voters disagreed. Sources are shown because this image&apos;s vote is closed.
      </p>
      <ResolveDispute
        imageId={imageId}
        candidates={candidates.filter((c) => c.roundId === latestRound)}
        backHref={`/projects/${slug}/dashboard`}
      />
    </div>
  );
}
