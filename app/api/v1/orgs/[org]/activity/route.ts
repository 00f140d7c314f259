import { route } from "@/lib/api/handler";
import { listOrganizationActivity } from "@/lib/api/operations/activity";

export const GET = route(listOrganizationActivity);
