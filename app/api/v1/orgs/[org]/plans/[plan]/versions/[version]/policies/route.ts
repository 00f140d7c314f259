import { route } from "@/lib/api/handler";
import { updatePlanPoliciesOperation } from "@/lib/api/operations/plans";
export const PUT = route(updatePlanPoliciesOperation);
