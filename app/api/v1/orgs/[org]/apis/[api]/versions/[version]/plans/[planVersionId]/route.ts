import { route } from "@/lib/api/handler";
import { setRequiresApprovalOperation, withdrawPlanOfferOperation } from "@/lib/api/operations/apis";
export const PATCH = route(setRequiresApprovalOperation);
export const DELETE = route(withdrawPlanOfferOperation);
