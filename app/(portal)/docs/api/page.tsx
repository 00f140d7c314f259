import type { Metadata } from "next";
import Link from "next/link";
import { ApiReference } from "@/components/portal/ApiReference";

export const metadata: Metadata = { title: "API reference" };

export default function ApiReferencePage() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">API reference</h1>
        <p className="mt-1 text-slate-600">
          Everything the portal does, for programs: call <code>/api/v1</code> with a personal access token from{" "}
          <Link className="font-medium text-brand-600 hover:underline" href="/settings/tokens">
            Settings → Access tokens
          </Link>{" "}
          as <code>Authorization: Bearer pat_…</code>. The document itself is at{" "}
          <a className="font-medium text-brand-600 hover:underline" href="/api/v1/openapi.json">
            /api/v1/openapi.json
          </a>
          .
        </p>
      </div>
      <ApiReference documentUrl="/api/v1/openapi.json" />
    </div>
  );
}
