import { route } from "@/lib/api/handler";
import { createApiVersionOperation } from "@/lib/api/operations/apis";
export const POST = route(createApiVersionOperation);
