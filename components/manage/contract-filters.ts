import type { ContractStatus } from "@/lib/domain/contracts";

/** The contract statuses a Contracts tab filters by, as their URL values and words. */
export const CONTRACT_STATUS_FILTERS: readonly { value: ContractStatus; label: string }[] = [
  { value: "AwaitingApproval", label: "Awaiting approval" },
  { value: "Active", label: "Active" },
  { value: "Suspended", label: "Suspended" },
  { value: "Rejected", label: "Rejected" },
  { value: "Withdrawn", label: "Withdrawn" },
  { value: "Broken", label: "Broken" },
  { value: "Expired", label: "Expired" },
];

