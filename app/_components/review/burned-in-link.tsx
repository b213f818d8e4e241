import Link from "next/link";
import { pendingBurnedInCount } from "@/lib/review/queries";

/** The dashboard's way to the burned-in review: how many images are held back, and a link. */
export async function BurnedInLink({ projectId, slug }: { projectId: string; slug: string }) {
  const n = await pendingBurnedInCount(projectId);
  return (
    <p className="text-sm" data-testid="burned-in-link">
      {n === 0 ? (
        <span className="text-muted">No image is held back for burned-in text.</span>
      ) : (
        <Link href={`/projects/${slug}/review/burned-in`} className="text-warn underline hover:text-text">
          {n} image{n === 1 ? "" : "s"} with possible burned-in text await your review (held back from exports)
        </Link>
      )}
    </p>
  );
}
