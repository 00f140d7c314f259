import { route } from "@/lib/api/handler";
import { createClientOperation, listClients } from "@/lib/api/operations/clients";

export const GET = route(listClients);
export const POST = route(createClientOperation);
