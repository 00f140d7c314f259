import { route } from "@/lib/api/handler";
import { withdrawOneContract } from "@/lib/api/operations/contracts";
export const POST = route(withdrawOneContract);
