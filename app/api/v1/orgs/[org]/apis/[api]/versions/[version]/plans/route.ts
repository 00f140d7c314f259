import { route } from "@/lib/api/handler";
import { listApiVersionPlansOperation, offerPlanOperation } from "@/lib/api/operations/apis";
export const GET = route(listApiVersionPlansOperation);
export const POST = route(offerPlanOperation);
