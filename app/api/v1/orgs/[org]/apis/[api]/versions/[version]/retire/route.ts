import { route } from "@/lib/api/handler";
import { retireApiVersionOperation } from "@/lib/api/operations/apis";
export const POST = route(retireApiVersionOperation);
