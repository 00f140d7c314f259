import { route } from "@/lib/api/handler";
import { createClientVersionOperation } from "@/lib/api/operations/clients";

export const POST = route(createClientVersionOperation);
