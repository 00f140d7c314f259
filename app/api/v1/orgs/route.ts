import { route } from "@/lib/api/handler";
import { createOrganizationOperation, listOrganizations } from "@/lib/api/operations/organizations";

export const GET = route(listOrganizations);
export const POST = route(createOrganizationOperation);
