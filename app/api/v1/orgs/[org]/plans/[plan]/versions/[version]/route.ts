import { route } from "@/lib/api/handler";
import { getPlanVersionOperation } from "@/lib/api/operations/plans";
export const GET = route(getPlanVersionOperation);
