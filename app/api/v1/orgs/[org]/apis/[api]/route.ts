import { route } from "@/lib/api/handler";
import { getApiOperation } from "@/lib/api/operations/apis";
export const GET = route(getApiOperation);
