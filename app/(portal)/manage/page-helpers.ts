import { notFound } from "next/navigation";
import { isDomainError } from "@/lib/domain/errors";

/** A management page's data, or the 404 page when the domain layer says it does not exist for this actor. */
export async function loadOrNotFound<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (error) {
    if (isDomainError(error) && error.status === 404) notFound();
    throw error;
  }
}
