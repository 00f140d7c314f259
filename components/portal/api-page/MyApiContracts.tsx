import Link from "next/link";
import { ContractStatusBadge } from "@/components/portal/ContractStatusBadge";
import type { MyApiContract } from "@/lib/domain/catalog";

/**
 * The signed-in reader's contracts with this API, any version, each linking to its page. A public
 * version takes no contract: there the panel shows only contracts of other versions, if any.
 */
export function MyApiContracts({ contracts, isPublic = false }: { contracts: MyApiContract[]; isPublic?: boolean }) {
  if (isPublic && contracts.length === 0) return null;
  return (
    <section aria-labelledby="my-contracts-heading" className="flex flex-col gap-3">
      <h2 id="my-contracts-heading" className="text-lg font-semibold">
        Your contracts
      </h2>
      {contracts.length === 0 ? (
        <p className="text-sm text-slate-600">You have no contract with this API yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg bg-white ring-1 ring-slate-200">
          {contracts.map((c) => (
            <li key={c.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-3 py-2 text-sm">
              <Link href={`/contracts/${c.id}`} className="font-medium text-brand-700 hover:underline">
                {c.clientName} {c.clientVersion}
                <span className="sr-only"> — contract with API version {c.apiVersion}</span>
              </Link>
              <span className="text-slate-700">API version {c.apiVersion}</span>
              <span className="text-slate-700">
                Plan {c.planName} {c.planVersion}
              </span>
              <ContractStatusBadge status={c.status} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
