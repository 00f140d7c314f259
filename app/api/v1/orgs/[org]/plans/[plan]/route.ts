import { route } from "@/lib/api/handler";
import { getPlanOperation } from "@/lib/api/operations/plans";
export const GET = route(getPlanOperation);
