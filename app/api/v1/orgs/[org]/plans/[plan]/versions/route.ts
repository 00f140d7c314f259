import { route } from "@/lib/api/handler";
import { createPlanVersionOperation } from "@/lib/api/operations/plans";
export const POST = route(createPlanVersionOperation);
