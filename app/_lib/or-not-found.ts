import { notFound } from "next/navigation";
import { isAppError } from "@/lib/errors/app-error";

/** A page's data, or the 404 page when the domain says not found or not allowed (ids reveal nothing). */
export async function orNotFound<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (e) {
    if (isAppError(e) && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN")) notFound();
    throw e;
  }
}
