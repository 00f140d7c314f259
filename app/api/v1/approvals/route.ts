import { route } from "@/lib/api/handler";
import { listApprovals } from "@/lib/api/operations/approvals";
export const GET = route(listApprovals);
