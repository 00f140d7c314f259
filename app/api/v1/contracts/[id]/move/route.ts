import { route } from "@/lib/api/handler";
import { moveContract } from "@/lib/api/operations/contracts";
export const POST = route(moveContract);
