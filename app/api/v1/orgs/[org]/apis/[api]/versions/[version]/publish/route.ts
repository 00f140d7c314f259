import { route } from "@/lib/api/handler";
import { publishApiVersionOperation } from "@/lib/api/operations/apis";
export const POST = route(publishApiVersionOperation);
