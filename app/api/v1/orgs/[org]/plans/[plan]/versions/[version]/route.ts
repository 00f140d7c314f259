import { route } from "@/lib/api/handler";
import { getPlanVersionOperation, updatePlanVersionSettingsOperation } from "@/lib/api/operations/plans";
export const GET = route(getPlanVersionOperation);
export const PATCH = route(updatePlanVersionSettingsOperation);
