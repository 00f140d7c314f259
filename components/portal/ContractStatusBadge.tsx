import { StatusBadge } from "@/components/StatusBadge";
import { Badge } from "@/components/ui/Badge";

/** The lifecycle's own statuses in words; the others as every status badge shows them. */
const LIFECYCLE = {
  Suspended: { label: "Suspended", tone: "amber" },
  Expired: { label: "Expired", tone: "gray" },
} as const;

export function ContractStatusBadge({ status }: { status: string }) {
  const word = LIFECYCLE[status as keyof typeof LIFECYCLE];
  return word ? <Badge tone={word.tone}>{word.label}</Badge> : <StatusBadge status={status} />;
}

/** The sentence shown under a status: why it was rejected, suspended or ended. */
export function statusReason(status: string, reason: string | null): string | null {
  if (!reason) return null;
  if (status === "Suspended") return `Suspended by the provider: ${reason}`;
  if (status === "Rejected" || status === "Broken" || status === "Withdrawn" || status === "Expired") return `Reason: ${reason}`;
  return null;
}
