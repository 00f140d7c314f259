import { route } from "@/lib/api/handler";
import { decideRequests } from "@/lib/api/operations/approvals";
export const POST = route(decideRequests);
