import { route } from "@/lib/api/handler";
import { getOrganizationOperation } from "@/lib/api/operations/organizations";

export const GET = route(getOrganizationOperation);
