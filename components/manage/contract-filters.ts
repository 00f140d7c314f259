import type { ContractStatus } from "@/lib/domain/clients";

/** The contract statuses a Contracts tab filters by, as their URL values and words. */
export const CONTRACT_STATUS_FILTERS: readonly { value: ContractStatus; label: string }[] = [
  { value: "AwaitingApproval", label: "Awaiting approval" },
  { value: "Active", label: "Active" },
  { value: "Rejected", label: "Rejected" },
  { value: "Withdrawn", label: "Withdrawn" },
  { value: "Broken", label: "Broken" },
];

/** `{prefix}status` from the URL, if it names a status. */
export function statusFilter(value: string | undefined): ContractStatus | undefined {
  return CONTRACT_STATUS_FILTERS.find((s) => s.value === value)?.value;
}
