import type { ContractEventView, PlanRef } from "@/lib/domain/contracts";
import { formatDate } from "./format";

const plan = (ref: PlanRef | null) => (ref ? `${ref.planName} ${ref.planVersion}` : "a plan that no longer exists");
const because = (reason: string | null) => (reason ? `: ${reason}` : "");

/**
 * One event of a contract's history as a sentence: "Dev Developer signed a contract on Bronze 1.0; it was active at once",
 * "Paula Provider suspended it: Payment overdue". Expiry is Portico's own doing.
 */
export function describeContractEvent(event: ContractEventView): string {
  const who = event.actorName ?? (event.actorId ? "A former user" : "Portico");
  const ends = event.endsAt ? `; it ends ${formatDate(event.endsAt)}` : "";
  switch (event.kind) {
    case "requested":
      return event.activeAtOnce ? `${who} signed a contract on ${plan(event.plan)}; it was active at once` : `${who} requested a contract on ${plan(event.plan)}`;
    case "approved":
      return `${who} approved it${ends}`;
    case "rejected":
      return `${who} rejected it${because(event.reason)}`;
    case "withdrawn":
      return `${who} withdrew the request`;
    case "broken":
      return `${who} ended it${because(event.reason)}`;
    case "terms_accepted":
      return `${who} accepted the terms of use of ${plan(event.plan)}`;
    case "plan_change_requested":
      return `${who} asked to move from ${plan(event.fromPlan)} to ${plan(event.plan)}`;
    case "plan_change_approved":
      return `${who} approved the move to ${plan(event.plan)}${ends}`;
    case "plan_change_rejected":
      return `${who} rejected the move to ${plan(event.plan)}${because(event.reason)}`;
    case "plan_change_cancelled":
      return `${who} cancelled the move to ${plan(event.plan)}${because(event.reason)}`;
    case "plan_changed":
      return `${who} moved it from ${plan(event.fromPlan)} to ${plan(event.plan)}${because(event.reason)}${ends}`;
    case "suspended":
      return `${who} suspended it${because(event.reason)}`;
    case "resumed":
      return `${who} resumed it`;
    case "end_date_set":
      return event.endsAt ? `${who} set its end date to ${formatDate(event.endsAt)}` : `${who} removed its end date`;
    case "expiry_warned":
      return event.endsAt ? `${who} warned that it ends ${formatDate(event.endsAt)}` : `${who} warned that it ends soon`;
    case "expired":
      return `It expired: its end date had come`;
    default:
      return `${who}: ${String(event.kind).replaceAll("_", " ")}`;
  }
}
