import Link from "next/link";
import { requirePageUser } from "@/app/_lib/session";
import { orNotFound } from "@/app/_lib/or-not-found";
import { loadBurnedInReview } from "@/lib/review/queries";
import { BurnedInReviewer } from "@/app/_components/review/burned-in-reviewer";

export const dynamic = "force-dynamic";
export const metadata = { title: "Burned-in text review · Tandem" };

/** Leads only: images held back from exports because their pixels may carry burned-in text. */
export default async function BurnedInReviewPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<{ image?: string }>;
}) {
  const user = await requirePageUser();
  const { slug } = await params;
  const { image } = await searchParams;
  const data = await orNotFound(loadBurnedInReview(user, slug, image));
  return (
    <div className="space-y-3">
      <h1 className="text-lg font-semibold">{data.project.name} · burned-in text review</h1>
      <p className="text-sm text-muted" data-testid="burned-in-pending">
        {data.pending.length === 0
          ? "No image is waiting for review: nothing is held back from exports."
          : `${data.pending.length} image${data.pending.length === 1 ? "" : "s"} held back from exports until reviewed. Release an image whose pixels carry no identifying text, exclude it for good, or draw a rectangle over the text to paint it black in the working image and the stored original.`}
      </p>
      {data.current ? (
        <BurnedInReviewer
          key={data.current.id}
          slug={data.project.slug}
          image={data.current}
          position={data.pending.findIndex((p) => p.id === data.current!.id) + 1}
          total={data.pending.length}
        />
      ) : null}
      <p className="text-sm">
        <Link href={`/projects/${data.project.slug}/dashboard`} className="text-muted hover:text-text">
          Back to the dashboard
        </Link>
      </p>
    </div>
  );
}
