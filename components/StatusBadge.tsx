import { Badge } from "./ui/Badge";

const WORDS: Record<string, { label: string; tone: "gray" | "green" | "amber" | "red" | "blue" }> = {
  AwaitingApproval: { label: "Awaiting approval", tone: "amber" },
  Active: { label: "Active", tone: "green" },
  Rejected: { label: "Rejected", tone: "red" },
  Withdrawn: { label: "Withdrawn", tone: "gray" },
  Broken: { label: "Broken", tone: "gray" },
  Suspended: { label: "Suspended", tone: "amber" },
  Expired: { label: "Expired", tone: "gray" },
  Created: { label: "Created", tone: "gray" },
  Ready: { label: "Ready", tone: "blue" },
  Published: { label: "Published", tone: "green" },
  Retired: { label: "Retired", tone: "red" },
  Locked: { label: "Locked", tone: "blue" },
  Registered: { label: "Registered", tone: "green" },
};

/** A status as the words users read (SPEC §6). */
export function statusLabel(status: string): string {
  return WORDS[status]?.label ?? status;
}

export function StatusBadge({ status }: { status: string }) {
  const word = WORDS[status] ?? { label: status, tone: "gray" as const };
  return <Badge tone={word.tone}>{word.label}</Badge>;
}
