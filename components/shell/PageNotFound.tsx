import Link from "next/link";

/** What a missing or hidden page says, inside the portal's frame. */
export function PageNotFound() {
  return (
    <div className="mx-auto max-w-xl py-16 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-slate-600">This page does not exist, or you do not have access to it.</p>
      <Link href="/apis" className="mt-6 inline-block font-medium text-brand-600 hover:underline">
        Back to the APIs
      </Link>
    </div>
  );
}
