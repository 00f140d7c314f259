import { route } from "@/lib/api/handler";
import { rejectRequest } from "@/lib/api/operations/approvals";
export const POST = route(rejectRequest);
