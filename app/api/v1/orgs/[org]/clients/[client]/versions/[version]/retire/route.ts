import { route } from "@/lib/api/handler";
import { retireClientVersionOperation } from "@/lib/api/operations/clients";

export const POST = route(retireClientVersionOperation);
