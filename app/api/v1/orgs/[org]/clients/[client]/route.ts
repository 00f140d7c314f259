import { route } from "@/lib/api/handler";
import { deleteClientOperation, getClient } from "@/lib/api/operations/clients";

export const GET = route(getClient);
export const DELETE = route(deleteClientOperation);
