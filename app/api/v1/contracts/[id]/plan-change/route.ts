import { route } from "@/lib/api/handler";
import { cancelContractPlanChange, requestContractPlanChange } from "@/lib/api/operations/contracts";
export const POST = route(requestContractPlanChange);
export const DELETE = route(cancelContractPlanChange);
