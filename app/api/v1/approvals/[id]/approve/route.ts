import { route } from "@/lib/api/handler";
import { approveRequest } from "@/lib/api/operations/approvals";
export const POST = route(approveRequest);
