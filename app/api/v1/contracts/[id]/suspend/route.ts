import { route } from "@/lib/api/handler";
import { suspendOneContract } from "@/lib/api/operations/contracts";
export const POST = route(suspendOneContract);
