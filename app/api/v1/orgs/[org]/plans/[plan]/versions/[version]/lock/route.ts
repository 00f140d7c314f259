import { route } from "@/lib/api/handler";
import { lockPlanVersionOperation } from "@/lib/api/operations/plans";
export const POST = route(lockPlanVersionOperation);
