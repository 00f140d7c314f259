import { route } from "@/lib/api/handler";
import { createApiOperation, listOrganizationApisOperation } from "@/lib/api/operations/apis";
export const GET = route(listOrganizationApisOperation);
export const POST = route(createApiOperation);
