import { route } from "@/lib/api/handler";
import { createPlanOperation, listOrganizationPlansOperation } from "@/lib/api/operations/plans";
export const GET = route(listOrganizationPlansOperation);
export const POST = route(createPlanOperation);
