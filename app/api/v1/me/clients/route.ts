import { route } from "@/lib/api/handler";
import { listMyClientsOperation } from "@/lib/api/operations/clients";

export const GET = route(listMyClientsOperation);
